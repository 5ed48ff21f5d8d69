"""A real webhook receiver on loopback: answers challenges, verifies signatures, records."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.server import free_port
from tests.support.waiting import DEADLINE, SERVE_POLL, wait_until


@dataclass
class Received:
    id: str
    type: str
    attempt: int
    object: dict[str, Any]
    body: dict[str, Any]
    compressed: bool
    at: float = field(default_factory=time.monotonic)
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """Modes: "ok" (200), "error" (500), "flaky" (every third POST 500), "slow" (sleeps
    `delay` then 200), "hang" (holds every POST until `stop`, then 500), "status" (answers
    `status`); `in_flight` counts the POSTs that entered "slow" or "hang"; challenges
    are echoed unless `echo_challenge` is False. Posts whose signature does not verify with
    `secret` are answered 401 and counted in `bad_signatures`."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret: str | None = None
        self.mode = "ok"
        self.status = 500  # what mode "status" answers every POST with
        self.delay = 0.0
        self.echo_challenge = True
        # Off for a URL whose sender's secret nobody holds (a page reminder's webhook_url).
        self.verify_signatures = True
        self.challenge_delay = 0.0
        self.received: list[Received] = []
        self.failed_posts = 0
        self.bad_signatures = 0
        self.challenges = 0
        self.in_flight = 0
        self.released = threading.Event()  # ends the "hang" of held POSTs
        self.posts = 0
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Receiver:
        receiver = self
        self.released.clear()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                challenge = query.get("challenge", [""])[0]
                with receiver.lock:
                    receiver.challenges += 1
                time.sleep(receiver.challenge_delay)
                payload = challenge.encode() if receiver.echo_challenge else b"nope"
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The sender died mid-request (a test kills workers): nothing was sent
                    # whole, so there is nothing to verify or record.
                    return
                status = receiver._handle_post(raw, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- handling ---------------------------------------------------------------------------
    def _handle_post(self, raw: bytes, headers: dict[str, str]) -> int:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            self.posts += 1
            flaky_failure = self.mode == "flaky" and self.posts % 3 == 0
        if self.mode == "error" or flaky_failure:
            with self.lock:
                self.failed_posts += 1
            return 500
        if self.mode == "status":
            with self.lock:
                self.failed_posts += 1
            return self.status
        if self.mode == "hang":
            with self.lock:
                self.in_flight += 1
            self.released.wait(DEADLINE)
            return 500
        if self.mode == "slow":
            with self.lock:
                self.in_flight += 1
            time.sleep(self.delay)
        expected = hmac.new((self.secret or "").encode(), raw, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(expected, lowered.get("x-nylas-signature", ""))
        if self.verify_signatures and not signed:
            with self.lock:
                self.bad_signatures += 1
            return 401
        compressed = lowered.get("content-encoding") == "gzip"
        body = json.loads(gzip.decompress(raw) if compressed else raw)
        with self.lock:
            self.received.append(
                Received(
                    id=body["id"],
                    type=body["type"],
                    attempt=body["webhook_delivery_attempt"],
                    object=body["data"]["object"],
                    body=body,
                    compressed=compressed,
                    raw=raw,
                    headers=lowered,
                )
            )
        return 200

    def wait_for(self, count: int, timeout: float = DEADLINE) -> list[Received]:
        wait_until(lambda: len(self.received) >= count, f"{count} deliveries", timeout=timeout)
        with self.lock:
            return list(self.received)

"""An ICS feed on a loopback HTTP server, which a test can make as slow as it likes."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.waiting import SERVE_POLL


class Feed:
    """Serves `body` at /cal.ics with an ETag, answering 304 to a matching If-None-Match.

    With `validators` False it sends no ETag (every request gets the whole feed). With `hold()`
    every request waits, before answering, until the test calls `release()`; `waiting` counts
    the requests waiting, so a test can wait for "N requests are in flight" without sleeping.
    """

    def __init__(self) -> None:
        self.body = ""
        self.validators = True
        self.requests: list[dict[str, str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = 0
        self.changed = threading.Condition()
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                feed.requests.append(dict(self.headers))
                feed._wait_for_gate()
                if self.path != "/cal.ics":
                    self.send_response(404)
                    self.end_headers()
                    return
                data = feed.body.encode()
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if feed.validators and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                if feed.validators:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cal.ics"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(SERVE_POLL,), daemon=True
        )

    def _wait_for_gate(self) -> None:
        if self.gate.is_set():
            return
        with self.changed:
            self.waiting += 1
            self.changed.notify_all()
        self.gate.wait(60)
        with self.changed:
            self.waiting -= 1
            self.changed.notify_all()

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def wait_for_waiting(self, count: int, timeout: float = 30) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.waiting >= count, timeout):
                raise AssertionError(f"{count} feed requests never arrived ({self.waiting} did)")

    def start(self) -> Feed:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

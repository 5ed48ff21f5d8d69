"""A loopback HTTP relay in front of a real server, for provider tests that need to shape the
conversation: run something between the server's answer and its delivery (`after`), rewrite
answers (`rewrite`), or hold them back (`hold`) to play a server that hangs until released.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.support.server import free_port
from tests.support.waiting import DEADLINE, HTTP_TIMEOUT, SERVE_POLL

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class Relay:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # (method, path, status) -> None, run before the answer is sent on.
        self.after: Callable[[str, str, int], None] | None = None
        # (method, path, body) -> body
        self.rewrite: Callable[[str, str, bytes], bytes] | None = None
        # While true, requests wait (at most DEADLINE) until `released` is set (`stop` sets it).
        self.hold = False
        self.released = threading.Event()
        self.seen: list[tuple[str, str]] = []
        # Methods answered 503 without reaching the server (a calendar server refusing writes).
        self.refuse: set[str] = set()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                relay.seen.append((self.command, self.path))
                if relay.hold:
                    relay.released.wait(DEADLINE)
                if self.command in relay.refuse:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = httpx.request(
                    self.command,
                    relay.target + self.path,
                    content=body,
                    headers=headers,
                    timeout=HTTP_TIMEOUT,
                )
                content = answer.content
                if relay.rewrite is not None:
                    content = relay.rewrite(self.command, self.path, content)
                if relay.after is not None:
                    relay.after(self.command, self.path, answer.status_code)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_PUT = do_DELETE = do_POST = _any
            do_PROPFIND = do_REPORT = do_MKCALENDAR = do_OPTIONS = _any

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True
        )

    def start(self) -> Relay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()

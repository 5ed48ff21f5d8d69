"""A loopback HTTP server whose answers a test sets per path: bodies, redirects, and huge
streamed bodies that count how much the client took."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.waiting import SERVE_POLL

# Content a test server holds that must never come back in an error message.
SECRET = "INTERNAL-ONLY-7c1e"
MB = 1024 * 1024


class Site:
    """A loopback HTTP server whose answers a test sets per path; counts what it sent."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: list[str] = []
        self.sent = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                site.hits.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route(self)

            do_GET = do_POST = do_PROPFIND = do_REPORT = _any  # noqa: N815 (stdlib names)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(SERVE_POLL,), daemon=True
        )
        self.thread.start()

    def body(
        self, path: str, text: str | bytes, status: int = 200, ctype: str = "text/plain"
    ) -> None:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            data = text.encode() if isinstance(text, str) else text
            handler.send_response(status)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        self.routes[path] = answer

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = answer

    def stream(self, path: str, total: int, status: int = 200) -> None:
        """`total` bytes in 64 KB chunks, counting what the client took before it hung up."""
        chunk = b"X" * 65536

        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/calendar")
            handler.send_header("Content-Length", str(total))
            handler.end_headers()
            try:
                for _ in range(total // len(chunk)):
                    handler.wfile.write(chunk)
                    self.sent += len(chunk)
            except OSError:
                pass  # the client stopped reading: that is the point

        self.routes[path] = answer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

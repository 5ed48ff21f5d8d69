"""A real Slotwise HTTP server on a free loopback port, run by uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
from typing import Any

import httpx
import uvicorn

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.db.engine import Database
from tests.support.waiting import DEADLINE, HTTP_TIMEOUT, wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.app = create_app(settings, db)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()

        def listening() -> bool:
            if not self._thread.is_alive():
                raise RuntimeError("Slotwise test server stopped while starting")
            return bool(self._server.started)  # set by uvicorn once the socket listens

        wait_until(listening, "the Slotwise test server to listen")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=DEADLINE)


# Building an httpx client builds a TLS context with it, loading the CA bundle: ~20 ms of CPU,
# for every test's `api` client alone. The test servers speak plain HTTP on loopback, so the
# test clients share one context.
CLIENT_TLS = httpx.create_ssl_context()


def http_client(**kwargs: Any) -> httpx.Client:
    """An httpx.Client (keyword arguments as its own) with the shared TLS context and, unless
    given, the generous timeout a loaded machine needs."""
    kwargs.setdefault("timeout", HTTP_TIMEOUT)
    kwargs.setdefault("verify", CLIENT_TLS)
    return httpx.Client(**kwargs)

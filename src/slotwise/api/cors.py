"""CORS: the configured origins (SLOTWISE_CORS_ORIGINS) and the application's registered
browser origins (a web redirect URI's `settings.origin`, slotwise.applications).

The hosted-auth token routes answer cross-origin to registered origins only, whatever the
configured list says (its default "*" is for the public scheduling component): a page that
was never registered gets no tokens into its scripts. The registered origins are read from the
database at most every REFRESH_SECONDS per process, off the event loop.
"""

from __future__ import annotations

import time
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from slotwise.applications.repository import registered_origins
from slotwise.db.engine import Database

REFRESH_SECONDS = 5.0
UNKNOWN_SECONDS = 0.5
TOKEN_PATHS = ("/v3/connect/token", "/v3/connect/tokeninfo", "/v3/connect/revoke")


class _Origins(CORSMiddleware):
    def __init__(self, app: ASGIApp, extra: set[str], **options: Any) -> None:
        super().__init__(app, **options)
        self.extra = extra

    def is_allowed_origin(self, origin: str) -> bool:
        return origin in self.extra or super().is_allowed_origin(origin)


class ApplicationCORS:
    def __init__(
        self, app: ASGIApp, /, *, db: Database, allow_origins: list[str], **options: Any
    ) -> None:
        self.db = db
        self.registered: set[str] = set()
        self.read_at = float("-inf")
        self.general = _Origins(app, self.registered, allow_origins=allow_origins, **options)
        self.tokens = _Origins(app, self.registered, allow_origins=[], **options)

    def _due(self, origin: str) -> bool:
        # An origin not seen yet may have just been registered: look again, though not more
        # often than UNKNOWN_SECONDS, so a flood of strange origins is a trickle of reads.
        age = time.monotonic() - self.read_at
        return age > REFRESH_SECONDS or (origin not in self.registered and age > UNKNOWN_SECONDS)

    def _read(self) -> set[str]:
        with self.db.session(write=False) as session:
            return registered_origins(session)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = Headers(scope=scope).get("origin") if scope["type"] == "http" else None
        if origin is not None and self._due(origin):
            try:
                fresh = await anyio.to_thread.run_sync(self._read)
            except Exception:  # noqa: BLE001 - the database is down: keep the last answer
                fresh = set(self.registered)
            self.registered.clear()
            self.registered.update(fresh)
            self.read_at = time.monotonic()
        target = self.tokens if scope.get("path", "") in TOKEN_PATHS else self.general
        await target(scope, receive, send)

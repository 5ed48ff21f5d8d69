"""One log line and one latency observation per HTTP request.

The route is the template (`/v3/scheduling/bookings/{booking_id}`), never the path: paths
carry booking references and grant ids, and a metric label per path would grow without bound.
Query strings are never logged (they may carry tokens).
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotwise import metrics

log = logging.getLogger("slotwise.request")

UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    root = scope.get("root_path") or ""
    return root if root else UNMATCHED


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees when the server cuts an unfinished response

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            metrics.REQUEST_SECONDS.labels(method, route).observe(seconds)
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            client = scope.get("client")
            log.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "fields": {
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "request_id": scope.get("state", {}).get("request_id"),
                        "client": client[0] if client else None,
                    }
                },
            )

"""The last line for unexpected exceptions: a complete 500 response, connection kept.

Starlette's own last resort sends the 500 and then re-raises, and the server answers a
re-raise by closing the socket, so a client's next request on that keep-alive connection is
dropped and it cannot tell "failed" from "maybe done". Here the error is rendered (by the
app's handler for Exception, which knows the JSON and HTML faces) and not re-raised. Only a
response that had already started when the error came is left to the server to cut off: a
half-sent response cannot be finished honestly.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The app's handler for Exception (async, or sync as Starlette allows).
Render = Callable[[Request, Any], Awaitable[Response] | Response]


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            rendered = self.render(Request(scope, receive), exc)
            response = await rendered if inspect.isawaitable(rendered) else rendered
            await response(scope, receive, send)

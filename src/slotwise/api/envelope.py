"""The Nylas envelopes: every response is JSON carrying a request id, errors included.

Success: {"request_id", "data"} (lists add "next_cursor"); acknowledgements: {"request_id"}.
Errors: {"request_id", "error": {"type", "message"}}. The same id goes in `X-Request-Id`,
because the Node SDK reads it from the header and the Python SDK from the body.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"

# The v2 faces (Scheduling Pages, the public schedule, v2 availability and free/busy): their
# clients read an error's `message` and `type` at the top level as well.
V2_PREFIXES = ("/manage/pages", "/page-images/", "/schedule/", "/calendars/")


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = new_request_id()
        request.state.request_id = rid
    return str(rid)


def new_request_id() -> str:
    return secrets.token_hex(16)


def ok(request: Request, data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse({"request_id": request_id(request), "data": data}, status_code)


class SlotListResponse(JSONResponse):
    """A JSONResponse serialised by orjson, for the slot lists of the availability answers.

    Their size grows with the request (a month of a large pool is thousands of slots, most of
    a megabyte), and the standard encoder took as long as the engine. For what those answers
    hold -- strings, ints of epoch size, lists and tuples, dicts with string keys -- orjson
    writes the same bytes as JSONResponse (compact, UTF-8, no escaping of non-ASCII); the
    other answers keep the standard encoder, which also accepts what orjson refuses (ints
    beyond 64 bits, non-string keys).
    """

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok_slots(request: Request, data: Any) -> JSONResponse:
    """`ok` for an availability answer (see `SlotListResponse`)."""
    return SlotListResponse({"request_id": request_id(request), "data": data})


def ok_list(request: Request, data: list[Any], next_cursor: str | None = None) -> JSONResponse:
    body = {"request_id": request_id(request), "data": data, "next_cursor": next_cursor}
    return JSONResponse(body)


def ack(request: Request, **extra: Any) -> JSONResponse:
    return JSONResponse({"request_id": request_id(request), **extra})


def error_response(
    request: Request,
    status_code: int,
    error_type: str,
    message: str,
    *,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "request_id": request_id(request),
        "error": {"type": error_type, "message": message, **(extra or {})},
    }
    path = request.url.path
    if path.startswith(V2_PREFIXES):
        body.update(message=message, type=error_type)
    return JSONResponse(body, status_code)


class RequestIdMiddleware:
    """Give each request an id (kept on request.state) and echo it in `X-Request-Id`.

    Also collapses repeated slashes in the path: the SDKs build `{api_uri}{path}`, so an api_uri
    with a trailing slash sends `//v3/...`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if "//" in path:
            while "//" in path:
                path = path.replace("//", "/")
            scope = dict(scope, path=path, raw_path=path.encode())
        rid = new_request_id()
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER
                ]
                headers.append((REQUEST_ID_HEADER, rid.encode()))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, send_with_id)

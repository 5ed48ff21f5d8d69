"""Request-scoped building blocks shared by every router: body, session, auth, parsing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from slotwise.edge import limits
from slotwise.edge.request import bearer_token, get_db, get_settings, is_admin_key
from slotwise.errors import (
    Forbidden,
    InvalidRequest,
    PayloadTooLarge,
    TokenUnauthorized,
    Unauthorized,
    field_error,
)
from slotwise.tokens.service import grant_for_token

T = TypeVar("T")

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, else rolled back.

    Writes start with BEGIN IMMEDIATE on SQLite (see db.engine), so a request's checks and
    writes are never interleaved with another writer's.
    """
    db = get_db(request)
    with db.session(write=request.method not in _READ_METHODS) as session:
        yield session


def _read_session(request: Request) -> Iterator[Session]:
    with get_db(request).session(write=False) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is never reported
# to the client as a success.
DbSession = Depends(_session, scope="function")
# For POSTs that only read (availability, free/busy): no write lock on SQLite.
ReadSession = Depends(_read_session, scope="function")


async def run_unit_of_work(
    request: Request, work: Callable[[Session], T], *, before: Callable[[], None] | None = None
) -> T:
    """`work(session)` and its commit in one worker thread: DbSession's unit of work for
    async endpoints on hot paths (booking creation). `before()` runs first in the same thread,
    outside the unit of work (a rate-limit count commits on its own).

    A sync endpoint with DbSession hops to the thread pool three times (opening the session,
    the endpoint, the commit); each hop costs CPU and a trip through the event loop. At most
    `Settings.booking_threads` of these run at once per process: the work is CPU-bound
    Python, so more threads only contend for the GIL; the rest wait their turn on the loop.
    """
    db = get_db(request)
    write = request.method not in _READ_METHODS

    def run() -> T:
        if before is not None:
            before()
        with db.session(write=write) as session:
            return work(session)

    return await anyio.to_thread.run_sync(run, limiter=_booking_limiter(request))


def _booking_limiter(request: Request) -> anyio.CapacityLimiter:
    # Made on first use: a limiter belongs to the running event loop.
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "booking_limiter", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(get_settings(request).booking_threads)
        state.booking_limiter = limiter
    return limiter


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON; an empty body reads as {} (DELETE bodies are optional)."""
    return parse_json_body(request, await body_bytes(request))


async def body_bytes(request: Request) -> bytes:
    """The body unparsed, for an endpoint that parses it (`parse_json_object`) in its worker
    thread after checking the caller."""
    return await request.body()


def parse_json_body(request: Request, raw: bytes) -> Any:
    """`json_body` of a body already read (`body_bytes`)."""
    settings = get_settings(request)
    if len(raw) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body: larger than {settings.max_body_bytes} bytes")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidRequest(f"body: malformed JSON ({exc})") from None
    if not _plain_text(raw):
        _check_text(body, "body")
    return body


def _plain_text(raw: bytes) -> bool:
    """Whether no string parsed from `raw` can hold a NUL or a lone surrogate, read from the
    bytes alone (walking every string of a large body, its path spelled out at each step, was
    a measurable part of a large availability request).

    JSON allows neither a raw NUL nor a raw control character in a string, so in UTF-8 both
    can only come from a \\u escape; a raw encoded surrogate is not strict UTF-8 (json.loads
    lets it through). A body with a NUL byte may be UTF-16 or UTF-32, which json.loads also
    reads: checked string by string, as is any body with a \\u escape."""
    if b"\\u" in raw or b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_text(value: Any, where: str) -> None:
    """Reject strings no database can store: NUL characters and lone surrogates."""
    stack = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            stack.extend((k, path) for k in item)
            stack.extend((v, f"{path}.{k}") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, str):
            if "\x00" in item:
                raise field_error(path.removeprefix("body."), "may not contain NUL characters")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise field_error(path.removeprefix("body."), "is not valid Unicode") from None


async def json_object(request: Request) -> dict[str, Any]:
    return parse_json_object(request, await body_bytes(request))


def parse_json_object(request: Request, raw: bytes) -> dict[str, Any]:
    body = parse_json_body(request, raw)
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    return body


def parse_bool(name: str, value: str | None, default: bool | None = None) -> bool | None:
    """Query booleans: Python sends True/False, Node true/false; accept any case and 0/1."""
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise field_error(name, f"expected true or false, got {value!r}")


def parse_int(name: str, value: str | None, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise field_error(name, f"expected an integer, got {value!r}") from None


# Names the bearer scheme in the OpenAPI document. It never refuses (auto_error=False): the
# check below does, with its own words in the Nylas envelope.
BEARER_SCHEME = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description=(
        "An admin API key (`slotwise api-key create`) or, for the routes of one grant, a "
        "per-grant access token (POST /v3/grants/{grant}/access-tokens). The scheduling "
        "routes also take a session token; public pages take none."
    ),
)


def require_api_key(
    request: Request, _declared: HTTPAuthorizationCredentials | None = Depends(BEARER_SCHEME)
) -> None:
    check_api_key(request)


def check_api_key(request: Request, session: Session | None = None) -> None:
    """`require_api_key`'s check, for an endpoint that runs it itself (after `DeclaredBearer`)
    in the worker thread of its own work; its reads go in `session` when given (a read
    session the endpoint has opened: one connection and one transaction for the request)."""
    # Never a write session: on SQLite a POST's session takes the write lock, and checking a
    # key must not (read-only POSTs such as availability use a read session).
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Authorization: missing Bearer API key")
    limits.check_failed_auth(request, token, session)
    if not is_admin_key(request, session, token):
        limits.count_failed_auth(request, token)
        raise Unauthorized("Authorization: the API key is not valid")


AdminAuth = Depends(require_api_key)
# The bearer scheme alone, refusing nothing: the route's OpenAPI entry names it as AdminAuth's
# does, and the endpoint calls `check_api_key` first.
DeclaredBearer = Depends(BEARER_SCHEME)


# The path parameter that names the grant, in the routers' two spellings.
_GRANT_PARAMS = ("grant_id", "grant")


def require_grant_access(request: Request) -> None:
    """The admin API key, or an access token of exactly the grant the path names.

    With a grant's access token (hosted authentication's or one issued for v2 pages), the path
    may say `me` or the grant's own id; `me` is replaced by the id in the request's path
    parameters before the endpoint reads them (router dependencies run first), so every
    endpoint below sees a real grant id. The caller's grant is kept on `request.state` for
    rules that also look at the body (a configuration's participants).
    """
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Authorization: missing Bearer API key or access token")
    limits.check_failed_auth(request, token)
    if is_admin_key(request, None, token):
        request.state.grant_caller = None
        return
    with get_db(request).session(write=False) as read:
        grant = grant_for_token(read, token)
        grant_id = grant.id if grant is not None else None
    if grant_id is None:
        limits.count_failed_auth(request, token)
        raise TokenUnauthorized("Authorization: the access token is invalid, expired or revoked")
    params = request.scope.setdefault("path_params", {})
    name = next((n for n in _GRANT_PARAMS if n in params), None)
    if name is None or params[name] not in {"me", grant_id}:
        raise Forbidden("grant_id: an access token reaches only its own grant (or me)")
    params[name] = grant_id
    request.state.grant_caller = grant_id


def grant_caller(request: Request) -> str | None:
    """The grant whose access token made the request (None for the admin API key)."""
    caller: str | None = getattr(request.state, "grant_caller", None)
    return caller


# Grant-scoped routes an organizer's own token may reach (calendars, events, configurations).
GrantAuth = Depends(require_grant_access)

"""Hosted authentication's JSON routes: token, tokeninfo, revoke and the id_token keys.

Anonymous (the browser holds no secret): every route counts against the connect rate limit.
A refusal of POST /v3/connect/token has the OAuth shape (RFC 6749 §5.2) an OAuth client reads.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, ReadSession, json_object
from slotwise.api.envelope import ack, ok
from slotwise.edge.limits import connect_limit
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import OAuthError, TokenUnauthorized, field_error
from slotwise.tokens import hosted, signing

router = APIRouter(dependencies=[Depends(connect_limit)])

# Token answers are secrets: no cache may keep them (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _client(request: Request) -> hosted.Client:
    settings = get_settings(request)
    return hosted.Client(
        application_id=settings.application_id,
        issuer=settings.public_url,
        access_token_seconds=settings.access_token_seconds,
    )


async def _token_body(request: Request) -> dict[str, Any]:
    """JSON (the editor) or a form (RFC 6749's own encoding)."""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raw = await request.body()
        if len(raw) > 16_384:
            raise OAuthError("invalid_request", "body: too large")
        try:
            return dict(parse_qsl(raw.decode("utf-8"), errors="strict"))
        except (UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_request", "body: not a readable form") from None
    try:
        return await json_object(request)
    except OAuthError:
        raise
    except Exception as exc:  # noqa: BLE001 - the SlotwiseError's message, in the OAuth shape
        raise OAuthError(
            "invalid_request", str(getattr(exc, "message", "body: malformed"))
        ) from None


@router.post("/v3/connect/token")
def issue_tokens(request: Request, body: dict[str, Any] = Depends(_token_body)) -> JSONResponse:
    # The unit of work commits a refusal's effects too (a presented code is used up, a reused
    # refresh token's family revoked); the refusal is raised once they are committed.
    refusal: OAuthError | None = None
    with get_db(request).session() as session:
        try:
            answer = hosted.exchange(session, _client(request), body)
        except OAuthError as exc:
            refusal = exc
    if refusal is not None:
        raise refusal
    return JSONResponse(answer, headers=NO_STORE)


@router.get("/v3/connect/tokeninfo")
def token_info(request: Request, session: Session = ReadSession) -> JSONResponse:
    query = request.query_params
    access_token, id_token = query.get("access_token"), query.get("id_token")
    if not access_token and not id_token:
        raise field_error("access_token", "access_token or id_token is required")
    if access_token:
        data = hosted.access_token_info(session, access_token)
    else:
        assert id_token is not None
        data = hosted.id_token_info(session, _client(request), id_token)
    if data is None:
        raise TokenUnauthorized("The token is invalid, expired or revoked")
    response = ok(request, data)
    response.headers.update(NO_STORE)
    return response


async def _revoked_token(request: Request) -> str:
    """The token to revoke: ?token= (the SDKs), or `token` in a JSON or form body."""
    token = request.query_params.get("token")
    if not token:
        raw = await request.body()
        if raw.strip() and len(raw) <= 16_384:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = dict(parse_qsl(raw.decode("utf-8", "replace")))
            if isinstance(parsed, dict) and isinstance(parsed.get("token"), str):
                token = parsed["token"]
    if not token:
        raise field_error("token", "is required")
    return token


@router.post("/v3/connect/revoke")
def revoke_token(
    request: Request, token: str = Depends(_revoked_token), session: Session = DbSession
) -> JSONResponse:
    hosted.revoke(session, token)
    return ack(request, success=True)


@router.get("/.well-known/jwks.json")
def signing_keys(session: Session = ReadSession) -> JSONResponse:
    # Empty until the first id_token is signed (that makes the first key).
    return JSONResponse(signing.jwks(session), headers={"Cache-Control": "max-age=300"})

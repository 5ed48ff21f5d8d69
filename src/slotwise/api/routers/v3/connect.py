"""Hosted authentication's JSON routes: token, tokeninfo, revoke and the id_token keys.

Anonymous (the browser holds no secret): every route counts against the connect rate limit.
A refusal of POST /v3/connect/token, a malformed body included, has the OAuth shape (RFC 6749
§5.2) an OAuth client reads (api.errors).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, ReadSession, json_body, json_object
from slotwise.api.envelope import ack, ok
from slotwise.api.openapi import request_body
from slotwise.edge.limits import connect_limit
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import OAuthError, TokenUnauthorized, field_error
from slotwise.tokens import hosted, signing
from slotwise.tokens.schemas import TokenRequest

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


@router.post("/v3/connect/token", openapi_extra=request_body(TokenRequest))
def issue_tokens(request: Request, body: dict[str, Any] = Depends(json_object)) -> JSONResponse:
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


async def _revoked_token(request: Request, body: Any = Depends(json_body)) -> str:
    """The token to revoke: ?token= (the SDKs), or `token` in a JSON body."""
    token = request.query_params.get("token")
    if not token and isinstance(body, dict) and isinstance(body.get("token"), str):
        token = body["token"]
    if not token:
        raise field_error("token", "is required")
    return token


@router.post("/v3/connect/revoke", openapi_extra=request_body(description="{token}, or ?token="))
def revoke_token(
    request: Request, token: str = Depends(_revoked_token), session: Session = DbSession
) -> JSONResponse:
    hosted.revoke(session, token)
    return ack(request, success=True)


@router.get("/.well-known/jwks.json")
def signing_keys(session: Session = ReadSession) -> JSONResponse:
    # Empty until the first id_token is signed (that makes the first key).
    return JSONResponse(signing.jwks(session), headers={"Cache-Control": "max-age=300"})

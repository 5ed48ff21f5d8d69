"""A grant's access tokens: /v3/grants/{grant}/access-tokens (admin API key only).

The token is in the POST response and nowhere else; listings carry ids only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.db.models import Grant
from slotwise.errors import NotFound
from slotwise.grants.repository import find_grant
from slotwise.tokens import service

router = APIRouter(prefix="/v3/grants/{grant}/access-tokens", dependencies=[AdminAuth])


def _grant(session: Session, identifier: str) -> Grant:
    grant = find_grant(session, identifier)
    if grant is None:
        raise NotFound(f"grant {identifier} not found")
    return grant


@router.post("")
def issue_access_token(request: Request, grant: str, session: Session = DbSession) -> JSONResponse:
    issued = service.issue_token(session, _grant(session, grant))
    data = {**service.token_to_dict(issued.row), "access_token": issued.token}
    return ok(request, data)


@router.get("")
def list_access_tokens(request: Request, grant: str, session: Session = DbSession) -> JSONResponse:
    rows = service.list_tokens(session, _grant(session, grant))
    return ok_list(request, [service.token_to_dict(r) for r in rows])


@router.delete("/{token_id}")
def revoke_access_token(
    request: Request, grant: str, token_id: str, session: Session = DbSession
) -> JSONResponse:
    service.revoke_token(session, _grant(session, grant), token_id)
    return ack(request)

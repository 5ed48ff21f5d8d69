"""Resolve who is calling a scheduling endpoint (API key, session, or nobody)."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from slotwise.edge.request import bearer_token, get_settings, is_admin_key
from slotwise.scheduling.access import Access, resolve_access


def scheduling_access(
    request: Request,
    session: Session,
    *,
    configuration_required: bool = True,
    configuration_id: str | None = None,
) -> Access:
    """The caller's access; `configuration_id` names the configuration when the path does."""
    token = bearer_token(request)
    query = request.query_params
    return resolve_access(
        session,
        token=token,
        token_is_api_key=bool(token) and is_admin_key(request, session, token),
        configuration_id=configuration_id or query.get("configuration_id") or None,
        slug=query.get("slug") or None,
        client_id=query.get("client_id") or None,
        application_id=get_settings(request).application_id,
        configuration_required=configuration_required,
    )

"""The application and its redirect URIs: create, list, get, update, delete. Never commits.

A redirect URI is matched exactly (no prefix, no wildcard): hosted auth sends a browser, with
an authorization code, only to an address the operator registered. A web URI's
`settings.origin` is the one browser origin that may call the token routes cross-origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.applications import repository
from slotwise.applications.schemas import NewRedirectUri, RedirectUriSettings, RedirectUriUpdate
from slotwise.db.models import RedirectUri
from slotwise.errors import Conflict, NotFound, field_error
from slotwise.ids import new_id
from slotwise.validation import validate_model

# Native apps (desktop, mobile) come back on custom schemes or loopback ports.
_WEB_PLATFORMS = {"web", "js"}


def application_to_dict(application_id: str, uris: list[RedirectUri]) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "organization_id": application_id,
        "region": "us",
        "environment": "production",
        "branding": {"name": "Slotwise"},
        "callback_uris": [redirect_uri_to_dict(u) for u in uris],
    }


def redirect_uri_to_dict(row: RedirectUri) -> dict[str, Any]:
    return {"id": row.id, "url": row.url, "platform": row.platform, "settings": row.settings}


def _check_url(url: str, platform: str) -> None:
    parts = urlsplit(url)
    if parts.fragment:
        raise field_error("url", "may not have a fragment")
    if platform in _WEB_PLATFORMS:
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise field_error("url", "expected an absolute http(s) URL for a web platform")
    elif not parts.scheme:
        raise field_error("url", "expected an absolute URL")


def _origin(settings: RedirectUriSettings | None) -> dict[str, Any]:
    if settings is None:
        return {}
    if settings.origin is not None:
        parts = urlsplit(settings.origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
            raise field_error("settings.origin", "expected an origin such as https://app.example")
        settings = settings.model_copy(update={"origin": f"{parts.scheme}://{parts.netloc}"})
    return settings.model_dump(exclude_none=True)


def create_redirect_uri(session: Session, body: dict[str, Any]) -> RedirectUri:
    request = validate_model(NewRedirectUri, body)
    _check_url(request.url, request.platform)
    now = clock.now()
    row = RedirectUri(
        id=new_id(),
        url=request.url,
        platform=request.platform,
        settings=_origin(request.settings),
        created_at=now,
        updated_at=now,
    )
    _store(session, row)
    return row


def _store(session: Session, row: RedirectUri) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(f"url: {row.url} is already registered") from None


def get_redirect_uri(session: Session, redirect_uri_id: str) -> RedirectUri:
    row = repository.find_redirect_uri(session, redirect_uri_id)
    if row is None:
        raise NotFound(f"redirect uri {redirect_uri_id} not found")
    return row


def update_redirect_uri(session: Session, row: RedirectUri, body: dict[str, Any]) -> RedirectUri:
    update = validate_model(RedirectUriUpdate, body)
    url = update.url if update.url is not None else row.url
    platform = update.platform if update.platform is not None else row.platform
    _check_url(url, platform)
    if url != row.url:
        other = repository.find_redirect_uri_by_url(session, url)
        if other is not None:
            raise Conflict(f"url: {url} is already registered")
    row.url = url
    row.platform = platform
    if update.settings is not None:
        row.settings = _origin(update.settings)
    row.updated_at = clock.now()
    session.flush()
    return row


def delete_redirect_uri(session: Session, row: RedirectUri) -> None:
    session.delete(row)
    session.flush()


def is_registered(session: Session, url: str) -> bool:
    return repository.find_redirect_uri_by_url(session, url) is not None

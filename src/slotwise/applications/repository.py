"""All queries of the application's redirect URIs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from slotwise.db.models import RedirectUri


def redirect_uris(session: Session) -> list[RedirectUri]:
    return list(
        session.scalars(select(RedirectUri).order_by(RedirectUri.created_at, RedirectUri.id))
    )


def find_redirect_uri(session: Session, redirect_uri_id: str) -> RedirectUri | None:
    return session.get(RedirectUri, redirect_uri_id)


def find_redirect_uri_by_url(session: Session, url: str) -> RedirectUri | None:
    return session.scalar(select(RedirectUri).where(RedirectUri.url == url))


def registered_origins(session: Session) -> set[str]:
    """The browser origins of the web redirect URIs (settings.origin)."""
    rows = session.scalars(select(RedirectUri.settings).where(RedirectUri.platform == "web"))
    return {str(s["origin"]) for s in rows if isinstance(s, dict) and s.get("origin")}

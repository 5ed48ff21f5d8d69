"""A grant's booking limits across every configuration (scheduling.limits). Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import Grant, GrantLimits
from slotwise.scheduling import limits_repository
from slotwise.scheduling.schemas import GrantLimitsDocument


def grant_limits_of(grant: Grant, session: Session) -> dict[str, Any]:
    """The grant's limits as answered: the stored document, else no limits."""
    found = limits_repository.find_grant_limits(session, grant.id)
    if found is None:
        return GrantLimitsDocument().stored()
    return dict(found.document)


def set_grant_limits(session: Session, grant: Grant, document: GrantLimitsDocument) -> None:
    """Replace the grant's limits (a PUT is the whole document)."""
    stored = document.stored()
    found = limits_repository.find_grant_limits(session, grant.id)
    if found is None:
        session.add(GrantLimits(grant_id=grant.id, document=stored, updated_at=clock.now()))
    else:
        found.document = stored
        found.updated_at = clock.now()
    session.flush()


def limits_to_dict(grant: Grant, document: dict[str, Any]) -> dict[str, Any]:
    return {"grant_id": grant.id, "object": "scheduling_limits", **document}

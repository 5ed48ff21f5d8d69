"""The transactional outbox: a notification is a row written beside the change it reports.

A rolled-back change therefore sends nothing, and a committed one is always delivered by the
worker, however the process that made it ends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import OutboxMessage
from slotwise.ids import new_id


def record(
    session: Session, trigger: str, obj: dict[str, Any], *, source: str = "/nylas/passthru"
) -> OutboxMessage:
    """Queue notification `trigger` (e.g. "booking.created") about `obj` (its data.object)."""
    message = OutboxMessage(
        id=new_id(), trigger=trigger, source=source, payload=obj, created_at=clock.now()
    )
    session.add(message)
    return message

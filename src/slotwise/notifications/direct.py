"""An email that is no booking's: queued as a delivery in the caller's transaction and sent by
the worker like booking emails (retried, and held while SMTP is down)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import Delivery
from slotwise.ids import new_id
from slotwise.notifications.outbox import notification_id


def queue_email(session: Session, message: dict[str, Any], *, trigger: str, order_key: str) -> None:
    session.add(
        Delivery(
            id=new_id(),
            kind="email",
            outbox_id=None,
            destination_id=None,
            trigger=trigger,
            order_key=order_key,
            sequence=notification_id(),
            message=message,
            status="pending",
            attempts=0,
            next_attempt_ms=clock.now_ms(),
            created_at=clock.now(),
        )
    )

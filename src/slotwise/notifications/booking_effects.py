"""What a booking notification causes besides webhooks: emails and reminders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise.config import Settings
from slotwise.db.models import OutboxMessage


def on_booking_notification(session: Session, settings: Settings, message: OutboxMessage) -> None:
    """Queue the booking's emails and (re)schedule its reminders, in the fan-out transaction."""
    return None

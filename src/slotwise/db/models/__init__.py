"""Every table, one module each, re-exported so any domain can import any model."""

from slotwise.db.models.api_key import ApiKey
from slotwise.db.models.calendar import Calendar
from slotwise.db.models.event import Event
from slotwise.db.models.grant import Grant
from slotwise.db.models.idempotency import IdempotencyRecord
from slotwise.db.models.outbox import OutboxMessage

__all__ = ["ApiKey", "Calendar", "Event", "Grant", "IdempotencyRecord", "OutboxMessage"]

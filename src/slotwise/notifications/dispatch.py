"""Fan-out: each new outbox row becomes deliveries (one per subscribed destination, plus the
booking emails) and, for bookings, reminder rows, all in one transaction with marking the row
dispatched. A crash before the commit leaves the row undispatched, to be fanned out again.

Fan-out runs one at a time (PostgreSQL: a transaction-scoped advisory lock; SQLite: the write
transaction), taking rows in id order, so deliveries about one object are created in the
order the changes happened.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from slotwise.ids import new_id
from slotwise.notifications import booking_effects, delivery
from slotwise.notifications import repository as notifications_repository
from slotwise.webhooks import repository
from slotwise.webhooks.triggers import order_key

log = logging.getLogger("slotwise.worker")

_FANOUT_LOCK = 0x510791CE  # arbitrary, fixed: the advisory lock id of the fan-out


def dispatch_outbox(db: Database, settings: Settings, policy: DeliveryPolicy) -> int:
    """Fan out up to one batch of undispatched outbox rows; return how many.

    The batch is tried in one go. If a row breaks it (emails that cannot be built from what
    it holds), it is rolled back and done again row by row, each row's emails and reminders
    in a savepoint: the bad row gets a failed delivery with its error, the rest go out.
    Savepoints cost a round trip each, so they are only paid when a row is bad.
    """
    try:
        return _dispatch(db, settings, policy, row_by_row=False)
    except Exception as exc:  # noqa: BLE001 - retried row by row, which isolates the cause
        log.warning("fan-out of a batch failed (%r); fanning it out row by row", exc)
        return _dispatch(db, settings, policy, row_by_row=True)


def _dispatch(db: Database, settings: Settings, policy: DeliveryPolicy, *, row_by_row: bool) -> int:
    with db.session() as session:
        if not db.is_sqlite:
            notifications_repository.lock_fanout(session, _FANOUT_LOCK)
        messages = notifications_repository.undispatched(session, policy.batch_size)
        if not messages:
            return 0
        now, now_ms = clock.now(), clock.now_ms()
        # What every row needs is read once per batch, not once per row.
        destinations = repository.subscribed_destinations(session)
        batch = booking_effects.FanoutBatch.read(session, messages)
        # Deliveries are inserted, and the rows marked, in one statement each per batch.
        deliveries: list[dict[str, object]] = []
        for message in messages:
            key = order_key(message.trigger, message.payload)
            for destination in destinations:
                if message.trigger not in (destination.trigger_types or []):
                    continue
                deliveries.append(
                    {
                        "id": new_id(),
                        "kind": "webhook",
                        "outbox_id": message.id,
                        "destination_id": destination.id,
                        "trigger": message.trigger,
                        "order_key": key,
                        "sequence": message.id,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_ms": now_ms,
                        "created_at": now,
                    }
                )
            if message.trigger.startswith("booking."):
                effects = _isolated_booking_effects if row_by_row else _booking_effects
                effects(session, settings, message, batch)
        notifications_repository.insert_deliveries(session, deliveries)
        notifications_repository.mark_dispatched(session, [m.id for m in messages], now)
        return len(messages)


def _booking_effects(
    session: Session, settings: Settings, message: OutboxMessage, batch: booking_effects.FanoutBatch
) -> None:
    booking_effects.on_booking_notification(session, settings, message, batch)


def _isolated_booking_effects(
    session: Session, settings: Settings, message: OutboxMessage, batch: booking_effects.FanoutBatch
) -> None:
    """The row's emails and reminders in a savepoint: if they cannot be built, the row gets a
    failed delivery with the error instead, and its webhooks still go out."""
    try:
        with session.begin_nested():
            booking_effects.on_booking_notification(session, settings, message, batch)
    except Exception as exc:  # noqa: BLE001 - whatever the row holds, the batch goes on
        payload = message.payload if isinstance(message.payload, dict) else {}
        delivery.record_unbuildable(
            session,
            outbox_id=message.id,
            trigger=message.trigger,
            order_key=f"booking:{payload.get('booking_id')}/to:-",
            sequence=message.id,
            error=exc,
        )

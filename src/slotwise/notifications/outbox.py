"""The transactional outbox: a notification is a row written beside the change it reports.

A rolled-back change therefore sends nothing, and a committed one is always delivered by the
worker, however the process that made it ends.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import OutboxMessage
from slotwise.db.rows import insert_row

_last_ns = 0
_lock = threading.Lock()


def notification_id() -> str:
    """A new notification id that sorts in creation order.

    16 hex digits of nanoseconds (strictly increasing within a process) and 8 random ones. Two
    changes to the same object are serialized by the database, so the later change's id always
    sorts after the earlier one's: the worker relies on that to deliver them in order.
    """
    global _last_ns
    with _lock:
        stamp = max(time.time_ns(), _last_ns + 1)
        _last_ns = stamp
    return f"{stamp:016x}{secrets.token_hex(4)}"


def record(
    session: Session,
    trigger: str,
    obj: dict[str, Any],
    *,
    source: str = "/nylas/passthru",
    dispatched: bool = False,
) -> OutboxMessage:
    """Queue notification `trigger` (e.g. "booking.created") about `obj` (its data.object).

    `dispatched`: the caller makes its deliveries itself (a page reminder goes to the page's
    own URL), so the fan-out must not send it to the registered webhooks."""
    now = clock.now()
    message = OutboxMessage(
        id=notification_id(),
        trigger=trigger,
        source=source,
        payload=obj,
        created_at=now,
        dispatched_at=now if dispatched else None,
    )
    insert_row(session, message)
    return message

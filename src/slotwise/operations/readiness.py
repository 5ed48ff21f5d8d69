"""Readiness: can this process serve a booking right now? That takes a write.

A read alone says "ready" on a full disk or a read-only data directory while every booking
fails, so the check rewrites one row (`health_probes`) in a transaction of its own, exactly as
a booking writes.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.faults import is_unavailable
from slotwise.operations import repository

log = logging.getLogger("slotwise.readiness")


def check_write(db: Database) -> str | None:
    """None when a write commits; otherwise why it did not (for the 503 message)."""
    try:
        with db.session(write=True) as session:
            repository.write_probe(session, "readyz", clock.now_ms())
    except SQLAlchemyError as exc:
        if not is_unavailable(exc):
            raise
        cause = getattr(exc, "orig", None) or exc
        log.warning("not ready: a write failed: %s", cause)
        # The cause's text stays in the log: /readyz is anonymous, and it names hosts and paths.
        return f"the database does not take writes ({type(cause).__name__})"
    return None

"""Counting booking attempts by outcome for /metrics: booked, conflict, refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slotwise import metrics
from slotwise.errors import Conflict, SlotwiseError, TimeslotUnavailable


@contextmanager
def counted() -> Iterator[None]:
    """Count the booking attempt made inside the block (a commit failure counts as none)."""
    try:
        yield
    except (TimeslotUnavailable, Conflict):
        metrics.BOOKINGS.labels("conflict").inc()  # the slot was taken: the rules held
        raise
    except SlotwiseError:
        metrics.BOOKINGS.labels("refused").inc()  # bad input, no access, not bookable
        raise
    metrics.BOOKINGS.labels("booked").inc()

"""The demo data shows a week a visitor can still see and book."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Event
from slotwise.demo import seed_demo


@pytest.mark.parametrize(
    ("today", "monday"),
    [(date(2026, 11, 18), date(2026, 11, 16)), (date(2026, 11, 22), date(2026, 11, 23))],
)
def test_demo_week_starts_on_this_or_the_coming_monday(
    db: Database, today: date, monday: date
) -> None:
    with db.session() as session:
        seed_demo(session, today)
    with db.session(write=False) as session:
        starts = session.scalars(select(Event.start_ts)).all()
    days = {datetime.fromtimestamp(ts, UTC).date() for ts in starts}
    assert min(days) == monday

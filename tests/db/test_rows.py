"""`insert_row`: one INSERT, then the object behaves as if flushed and loaded."""

from __future__ import annotations

from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Event, Grant
from slotwise.db.rows import insert_row


def _grant(now: int) -> Grant:
    return Grant(
        id="g-rows",
        provider="virtual-calendar",
        email="rows@example.com",
        scope=[],
        settings={},
        created_at=now,
        updated_at=now,
    )


def test_insert_row_fills_defaults_and_tracks_later_changes(db: Database) -> None:
    now = 1_700_000_000
    with db.session() as session:
        # Pending (not yet flushed) rows the new one references are written first.
        session.add(_grant(now))
        session.flush()  # the models declare no relationships, so flushes do not order tables
        session.add(
            Calendar(id="c-rows", grant_id="g-rows", name="c", created_at=now, updated_at=now)
        )
        event = Event(
            id="e-rows",
            grant_id="g-rows",
            calendar_id="c-rows",
            when={"object": "timespan", "start_time": now, "end_time": now + 60},
            start_ts=now,
            end_ts=now + 60,
            created_at=now,
            updated_at=now,
        )
        insert_row(session, event)
        # Unset columns took their Python defaults, so reading them needs no query.
        assert event.busy is True and event.status == "confirmed" and event.participants == []
        assert event.sequence == 0 and event.title is None
        event.title = "changed"  # tracked: flushed as an UPDATE at commit
    with db.session(write=False) as session:
        stored = session.scalars(select(Event).where(Event.id == "e-rows")).one()
        assert (stored.title, stored.busy, stored.extra, stored.is_recurring) == (
            "changed",
            True,
            {},
            False,
        )

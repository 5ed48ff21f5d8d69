"""read_busy: what counts as busy, recurrence expansion, and at most two queries."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from slotwise.calendars.service import new_calendar, resolve_calendar
from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Grant
from slotwise.db.models.event import SHORT_SPAN_SECONDS
from slotwise.events.busy import read_busy
from slotwise.events.service import cancel_event, create_event
from slotwise.grants.service import connect_custom

T0 = 1_767_261_600  # 2026-01-01 10:00 UTC
HOUR = 3600
DAY = 86_400


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)


def _grant(session: Session, email: str) -> tuple[Grant, Calendar]:
    grant = connect_custom(
        session, {"provider": "virtual-calendar", "settings": {"email": email}}
    ).grant
    return grant, resolve_calendar(session, grant, "primary")


def test_busy_rules(db: Database) -> None:
    with db.session() as session:
        grant, cal = _grant(session, "a@example.com")
        span = {"start_time": T0, "end_time": T0 + HOUR}
        create_event(session, grant, cal, {"when": span})
        create_event(session, grant, cal, {"when": span, "busy": False})
        gone = create_event(session, grant, cal, {"when": span, "title": "gone"})
        cancel_event(session, gone)
        skipped = create_event(
            session, grant, cal, {"when": {"start_time": T0 + 2 * HOUR, "end_time": T0 + 3 * HOUR}}
        )
        tentative = create_event(
            session, grant, cal, {"when": {"start_time": T0 + 4 * HOUR, "end_time": T0 + 5 * HOUR}}
        )
        tentative.status = "maybe"
        create_event(session, grant, cal, {"when": {"start_time": T0 - HOUR, "end_time": T0}})
        cal_id, skipped_id = cal.id, skipped.id
    with db.session(write=False) as session:
        busy = read_busy(session, [cal_id], T0, T0 + DAY)
        assert busy == {
            cal_id: [
                (T0, T0 + HOUR),
                (T0 + 2 * HOUR, T0 + 3 * HOUR),
                (T0 + 4 * HOUR, T0 + 5 * HOUR),
            ]
        }
        strict = read_busy(
            session, [cal_id], T0, T0 + DAY, tentative_as_busy=False, exclude_event_ids=[skipped_id]
        )
        assert strict == {cal_id: [(T0, T0 + HOUR)]}
        assert read_busy(session, [cal_id, "unknown"], T0, T0 + DAY)["unknown"] == []


def test_short_and_long_events_of_several_calendars_come_together(db: Database) -> None:
    """Single events are read aggregated per calendar, short and long ones apart: a calendar
    with both gets all of them, in start order, and each calendar only its own."""
    with db.session() as session:
        grant_a, cal_a = _grant(session, "a@example.com")
        grant_b, cal_b = _grant(session, "b@example.com")
        week_long = {"start_time": T0 - 3 * DAY, "end_time": T0 + 4 * DAY}  # beyond SHORT_SPAN
        for start in (T0 + 5 * HOUR, T0 + HOUR, T0 + 3 * HOUR):
            create_event(
                session, grant_a, cal_a, {"when": {"start_time": start, "end_time": start + HOUR}}
            )
        create_event(session, grant_a, cal_a, {"when": week_long})
        create_event(
            session, grant_b, cal_b, {"when": {"start_time": T0, "end_time": T0 + 2 * HOUR}}
        )
        ids = (cal_a.id, cal_b.id)
    with db.session(write=False) as session:
        busy = read_busy(session, list(ids), T0, T0 + DAY)
    assert busy == {
        ids[0]: [
            (T0 - 3 * DAY, T0 + 4 * DAY),
            (T0 + HOUR, T0 + 2 * HOUR),
            (T0 + 3 * HOUR, T0 + 4 * HOUR),
            (T0 + 5 * HOUR, T0 + 6 * HOUR),
        ],
        ids[1]: [(T0, T0 + 2 * HOUR)],
    }


def test_recurring_series_expand_and_exclusions(db: Database) -> None:
    with db.session() as session:
        grant, cal = _grant(session, "a@example.com")
        master = create_event(
            session,
            grant,
            cal,
            {
                "when": {"start_time": T0, "end_time": T0 + HOUR},
                "recurrence": [
                    "RRULE:FREQ=DAILY;UNTIL=20260105T235959Z",
                    "EXDATE:20260103T100000Z",
                ],
            },
        )
        create_event(
            session,
            grant,
            cal,
            {
                "when": {"start_time": T0 - 100 * DAY, "end_time": T0 - 100 * DAY + HOUR},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
            },
        )
        master_id, cal_id = master.id, cal.id
        assert master.recur_until == T0 + 4 * DAY + HOUR
    with db.session(write=False) as session:
        busy = read_busy(session, [cal_id], T0 - DAY, T0 + 30 * DAY)[cal_id]
        assert busy == [(T0 + d * DAY, T0 + d * DAY + HOUR) for d in (0, 1, 3, 4)]
        instance = f"{master_id}_20260102T100000Z"
        without = read_busy(
            session, [cal_id], T0 - DAY, T0 + 30 * DAY, exclude_event_ids=[instance]
        )[cal_id]
        assert (T0 + DAY, T0 + DAY + HOUR) not in without
        assert (
            read_busy(session, [cal_id], T0 - DAY, T0 + 30 * DAY, exclude_event_ids=[master_id])[
                cal_id
            ]
            == []
        )


def test_many_calendars_take_at_most_two_queries(db: Database) -> None:
    ids = []
    with db.session() as session:
        for i in range(50):
            grant, cal = _grant(session, f"p{i}@example.com")
            extra = new_calendar(session, grant, name="extra")
            for day in range(0, 31, 3):
                create_event(
                    session,
                    grant,
                    cal,
                    {"when": {"start_time": T0 + day * DAY, "end_time": T0 + day * DAY + HOUR}},
                )
            create_event(
                session,
                grant,
                extra,
                {
                    "when": {"start_time": T0, "end_time": T0 + HOUR},
                    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR"],
                },
            )
            ids += [cal.id, extra.id]
    with db.session(write=False) as session, count_queries(db) as statements:
        busy = read_busy(session, ids, T0, T0 + 31 * DAY)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2
    assert all(len(busy[i]) == 11 for i in ids[0::2])
    assert all(len(busy[i]) >= 13 for i in ids[1::2])


def test_every_kind_of_event_against_a_plain_overlap_rule(db: Database) -> None:
    """Random events on three calendars (short, exactly two days, just longer, zero-length;
    confirmed, tentative, cancelled, free) read through many windows: exactly those that are
    busy, not cancelled (nor tentative when that is asked) and overlap the window come back, as
    their own spans, per calendar. A zero-length event overlaps when it starts strictly inside.
    """
    rng = random.Random(20261203)
    durations = [0, 1, 15 * 60, HOUR, SHORT_SPAN_SECONDS - 1, SHORT_SPAN_SECONDS]
    durations += [SHORT_SPAN_SECONDS + 1, 9 * DAY]
    stored: list[tuple[str, int, int, str, bool]] = []
    with db.session() as session:
        calendars = [_grant(session, f"c{i}@example.com") for i in range(3)]
        _, empty = _grant(session, "nobody@example.com")
        for _ in range(90):
            grant, cal = rng.choice(calendars)
            start = T0 + rng.randrange(-4 * DAY, 6 * DAY, 900)
            end = start + rng.choice(durations)
            status = rng.choice(["confirmed", "confirmed", "maybe", "tentative", "cancelled"])
            busy = rng.random() < 0.85
            made = create_event(
                session, grant, cal, {"when": {"start_time": start, "end_time": end}, "busy": busy}
            )
            made.status = status
            stored.append((cal.id, start, end, status, busy))
        ids = [cal.id for _, cal in calendars] + [empty.id]
    windows = [(T0, T0 + DAY), (T0 - 3 * DAY, T0 + 5 * DAY), (T0 + HOUR, T0 + HOUR + 900)]
    windows += [(T0 + rng.randrange(-4 * DAY, 6 * DAY, 900), 0) for _ in range(12)]
    windows = [(s, e or s + rng.choice([900, DAY, 3 * DAY])) for s, e in windows]
    with db.session(write=False) as session:
        for start, end in windows:
            for tentative in (True, False):
                got = read_busy(session, [*ids, ids[0]], start, end, tentative_as_busy=tentative)
                want: dict[str, list[tuple[int, int]]] = {cal_id: [] for cal_id in ids}
                for cal_id, s, e, status, busy in stored:
                    counted = busy and status != "cancelled"
                    counted = counted and (tentative or status not in ("maybe", "tentative"))
                    if counted and e > start and s < end:
                        want[cal_id].append((s, e))
                assert got == {c: sorted(spans) for c, spans in want.items()}, (start, end)
                # Unordered (for the engine, which sorts): the same spans, none lost or twice.
                loose = read_busy(
                    session, ids, start, end, tentative_as_busy=tentative, in_order=False
                )
                assert {c: sorted(spans) for c, spans in loose.items()} == got, (start, end)

"""The hot paths' query plans read only the request's own rows, on a database with many others.

Each hot path runs for real (the repository functions availability, free/busy and booking
use), its SQL is captured as executed, and the same statement is EXPLAINed with the same
parameters. The database holds thousands of grants, calendars and events spread over two years
and is ANALYZEd first, so the planner chooses as it would in production: a sequential scan
there would be the cheapest plan for a table without a usable index, which is what this test
must catch. Enough rows make an index range that reads a calendar's whole past cost more than
one bounded on both ends, so the events checks also prove the look-back bound is used.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from slotwise.availability_api.sources import (
    CalendarRequest,
    busy_by_email,
    grants_for,
    resolve_calendar_ids,
)
from slotwise.bookings.repository import find_booking
from slotwise.config import Settings
from slotwise.db import planning
from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Booking, Calendar, Configuration, Event, Grant
from slotwise.events.busy import read_busy
from slotwise.events.repository import (
    EventFilter,
    events_in_window,
    last_booked,
    last_booked_order,
)
from slotwise.scheduling.repository import grants_with_calendars
from slotwise.worker import Worker
from tests.support.databases import empty_all_tables

# Seeding a realistic volume of rows takes seconds; the plans are read once per backend.
pytestmark = pytest.mark.slow

GRANTS = 2000
EVENTS_PER_CALENDAR = 24  # one a month over two years: 48,000 events
DAY = 86400
NOW = 1_780_000_000  # a fixed instant: the seeded past and future are around it
TABLES = {"grants", "calendars", "events", "bookings"}


def _seed(db: Database) -> None:
    rng = random.Random(7)
    grants: list[Any] = []
    calendars: list[Any] = []
    events: list[Any] = []
    bookings: list[Any] = []
    for i in range(GRANTS):
        gid, cid = f"g{i:05d}", f"c{i:05d}"
        grants.append(
            {
                "id": gid,
                "provider": "virtual-calendar",
                "email": f"Person{i}@Example.com",
                "name": None,
                "grant_status": "valid",
                "scope": [],
                "settings": {},
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        calendars.append(
            {
                "id": cid,
                "grant_id": gid,
                "name": "primary",
                "is_primary": True,
                "read_only": False,
                "calendar_metadata": {},
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        for k in range(EVENTS_PER_CALENDAR):
            start = NOW - 700 * DAY + k * 30 * DAY + rng.randrange(0, 20) * 3600
            recurring = k == 0 and i % 10 == 0
            long_event = k == 1 and i % 7 == 0
            end = start + (5 * DAY if long_event else 3600)
            events.append(
                {
                    "id": f"e{i:05d}_{k:02d}",
                    "grant_id": gid,
                    "calendar_id": cid,
                    "busy": True,
                    "status": "confirmed",
                    "when": {"object": "timespan", "start_time": start, "end_time": end},
                    "start_ts": start,
                    "end_ts": end,
                    "is_recurring": recurring,
                    "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=40"] if recurring else None,
                    "recur_until": start + 40 * 7 * DAY if recurring else None,
                    "participants": [],
                    "event_metadata": {"key5": "rr"} if k % 6 == 0 else {},
                    "key5": "rr" if k % 6 == 0 else None,
                    "sequence": 0,
                    "extra": {},
                    "created_at": start - DAY,
                    "updated_at": start - DAY,
                }
            )
        bookings.append(
            {
                "id": f"b{i:05d}",
                "configuration_id": f"cfg{i % 50}",
                "event_id": f"e{i:05d}_05",
                "organizer_grant_id": gid,
                "organizer_calendar_id": cid,
                "organizer_email": f"person{i}@example.com",
                "hosts": [],
                "status": "booked",
                "sealed_salt": "00",  # never opened here
                "title": "x",
                "guest": {},
                "additional_guests": [],
                "additional_fields": {},
                "start_ts": NOW,
                "end_ts": NOW + 1800,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    with db.session() as session:
        for model, rows in ((Grant, grants), (Calendar, calendars), (Event, events)):
            for at in range(0, len(rows), 5000):
                session.execute(insert(model), rows[at : at + 5000])
        _insert_bookings(session, bookings)


def _analyze(db: Database) -> None:
    """Statistics as production has them: PostgreSQL's autovacuum would have analyzed the
    tables; on SQLite, what the server and worker run (a bounded sample, then fresh
    connections, since SQLite loads statistics when a connection opens)."""
    if planning.refresh_statistics(db):
        return
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def _insert_bookings(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bookings with the few configurations they reference."""
    configs = [
        {"id": f"cfg{n}", "grant_id": "g00000", "document": {}, "created_at": NOW}
        | {"updated_at": NOW}
        for n in range(50)
    ]
    session.execute(insert(Configuration), configs)
    session.execute(insert(Booking), rows)


@pytest.fixture(scope="module", params=["analyzed", "analyzed-while-empty"])
def seeded(request: pytest.FixtureRequest, session_db: Database) -> Iterator[Database]:
    """The backend's database seeded and analyzed; then the same database with statistics
    taken while it was empty, as a server started on an empty database has them until the
    next refresh (the worker's on SQLite, autovacuum's on PostgreSQL; an import or a first
    sync fills it meanwhile): the hot paths must not depend on statistics to stay bounded.
    SQLite's busy read once went through ix_events_calendar_span there for open-ended series,
    reading each calendar's whole past."""
    empty_all_tables(session_db)
    if request.param == "analyzed":
        _seed(session_db)
        _analyze(session_db)
    else:
        _analyze(session_db)  # as `slotwise serve` does on start, on the empty tables
        _autovacuum(session_db, enabled=False)
        _seed(session_db)
    yield session_db
    _autovacuum(session_db, enabled=True)
    empty_all_tables(session_db)


def _autovacuum(db: Database, *, enabled: bool) -> None:
    """PostgreSQL's analysis of the seeded tables, held off so that the statistics stay those
    of the empty tables (SQLite has none of its own)."""
    if db.is_sqlite:
        return
    with db.engine.connect() as conn:
        for table in sorted(TABLES):
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = {enabled})")
        conn.commit()


@contextmanager
def _captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)


def _plans(db: Database, run: Callable[[Session], Any]) -> list[Any]:
    """Run a hot path, then EXPLAIN every SELECT it sent, with its parameters."""
    with _captured(db) as statements, db.session(write=False) as session:
        run(session)
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "("))]
    assert selects, "the hot path sent no query"
    plans = []
    with db.engine.connect() as conn:
        for statement, params in selects:
            if db.is_sqlite:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
                plans.append([str(row[-1]) for row in rows])
            else:
                raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar()
                plans.append(raw if isinstance(raw, list) else json.loads(str(raw)))
    return plans


def _pg_nodes(plan: Any) -> Iterator[dict[str, Any]]:
    if isinstance(plan, list):
        for item in plan:
            yield from _pg_nodes(item)
    elif isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for value in plan.values():
            if isinstance(value, list | dict):
                yield from _pg_nodes(value)


def _check(db: Database, plans: list[Any], *, events_bounded: bool = False) -> None:
    """No full scan of a big table and no parallel workers (their start-up costs more than any
    request's rows); with `events_bounded`, every read of events is an index range bounded
    below (a look-back start, an end, or a series' last occurrence)."""
    for plan in plans:
        if db.is_sqlite:
            for line in plan:
                words = line.split()
                if words[:1] == ["SCAN"] and words[1] in TABLES:
                    pytest.fail(f"full scan of {words[1]}: {plan}")
                if events_bounded and words[:2] == ["SEARCH", "events"]:
                    # Open-ended series are read whole: there are few per calendar.
                    open_series = "masters (calendar_id=? AND recur_until=?" in line
                    assert ">" in line or open_series, f"events read without a lower bound: {plan}"
            continue
        for node in _pg_nodes(plan):
            relation = node.get("Relation Name")
            assert node["Node Type"] not in {"Gather", "Gather Merge"}, plan
            assert not (node["Node Type"] == "Seq Scan" and relation in TABLES), plan
            if events_bounded and relation == "events" and "Index Cond" in node:
                cond = node["Index Cond"]
                bounded = "start_ts >=" in cond or "end_ts >" in cond or "recur_until" in cond
                assert bounded, f"events read without a lower bound: {cond}"


def test_participant_lookups_use_the_email_index(seeded: Database) -> None:
    emails = ["PERSON17@example.com", "person1999@example.COM"]
    found: dict[str, Any] = {}

    def run(session: Session) -> None:
        found["scheduler"] = grants_with_calendars(session, emails)
        found["calendars"] = grants_for(session, emails)

    _check(seeded, _plans(seeded, run))
    assert sorted(found["scheduler"]) == ["person17@example.com", "person1999@example.com"]
    assert sorted(found["calendars"]) == sorted(found["scheduler"])


def test_calendar_resolution_reads_only_the_participants_calendars(seeded: Database) -> None:
    def run(session: Session) -> None:
        grants = grants_for(session, ["person5@example.com"])
        ids = resolve_calendar_ids(
            grants, [CalendarRequest("person5@example.com", None, "emails[0]")]
        )
        assert ids == {"person5@example.com": ["c00005"]}

    _check(seeded, _plans(seeded, run))


def test_busy_time_reads_a_bounded_range_of_each_calendar(seeded: Database) -> None:
    # A week in the seeded middle: a calendar's past before it must not be walked.
    start = NOW - 100 * DAY
    found: dict[str, list[tuple[int, int]]] = {}

    def run(session: Session) -> None:
        found.update(read_busy(session, ["c00000", "c00007", "c01234"], start, start + 14 * DAY))

    _check(seeded, _plans(seeded, run), events_bounded=True)
    assert set(found) == {"c00000", "c00007", "c01234"}


def test_fifty_person_availability_reads_only_their_rows(seeded: Database) -> None:
    """What POST /v3/calendars/availability reads for 50 participants: with that many ids the
    planners would otherwise scan all calendars, or start parallel workers for the busy query
    as the events table grows."""
    emails = [f"person{i}@example.com" for i in range(0, 2000, 40)]
    start = NOW - 100 * DAY
    found: dict[str, list[tuple[int, int]]] = {}

    def run(session: Session) -> None:
        grants = grants_for(session, emails)
        requests = [CalendarRequest(e, None, f"participants[{n}]") for n, e in enumerate(emails)]
        calendars = resolve_calendar_ids(grants, requests)
        found.update(busy_by_email(session, grants, calendars, start, start + 7 * DAY))

    _check(seeded, _plans(seeded, run), events_bounded=True)
    assert set(found) == set(emails)


def test_busy_time_still_finds_long_and_recurring_events(seeded: Database) -> None:
    # c00000's weekly series (k = 0) and its five-day event (k = 1) both reach into these days.
    with seeded.session(write=False) as session:
        first = session.get(Event, "e00000_00")
        long_event = session.get(Event, "e00000_01")
        assert first is not None and long_event is not None
        series_day = first.start_ts + 10 * 7 * DAY
        inside_long = long_event.start_ts + 4 * DAY
        busy = read_busy(session, ["c00000"], series_day, series_day + 3600)["c00000"]
        assert (series_day, series_day + 3600) in busy
        busy = read_busy(session, ["c00000"], inside_long, inside_long + 3600)["c00000"]
        assert (long_event.start_ts, long_event.end_ts) in busy


def test_event_list_reads_a_bounded_range(seeded: Database) -> None:
    start = NOW - 100 * DAY

    def run(session: Session) -> None:
        events_in_window(session, EventFilter(calendar_id="c00042", start=start, end=start + DAY))

    _check(seeded, _plans(seeded, run), events_bounded=True)


def test_booking_reads_use_keys(seeded: Database) -> None:
    def run(session: Session) -> None:
        assert find_booking(session, "b00010") is not None
        last_booked(session, ["g00010", "g00020"], ["rr"])

    _check(seeded, _plans(seeded, run))


def test_rotation_order_reads_the_configurations_events_by_key(seeded: Database) -> None:
    """The round-robin order of every offer and booking (a grant's newest booked event of the
    configuration, ranked): read through the key5 index, never a scan of all events."""
    found: dict[str, tuple[int, int]] = {}

    def run(session: Session) -> None:
        found.update(last_booked_order(session, ["g00000", "g00006", "g00007"], ["rr", "group"]))

    _check(seeded, _plans(seeded, run))
    assert set(found) == {"g00000", "g00006", "g00007"}


def test_idle_worker_pass_reads_no_big_table(seeded: Database, tmp_path: Path) -> None:
    """With nothing to do, a worker pass (outbox, remote calendars, reminders, deliveries)
    costs index probes, whatever the number of calendars."""
    worker = Worker(seeded, Settings(data_dir=tmp_path, run_worker=False))

    def run(session: Session) -> None:
        assert worker.run_once() == 0

    _check(seeded, _plans(seeded, run))


def test_an_idle_worker_gives_a_never_analyzed_sqlite_database_statistics(
    tmp_path: Path,
) -> None:
    """An embedded database filled without ANALYZE (every installation, until now) plans the
    hot paths with statistics once a worker has been idle, with no operator action."""
    db = Database(f"sqlite:///{tmp_path / 'slotwise.db'}")
    upgrade(db.url)
    try:
        _seed(db)
        with db.engine.connect() as conn:
            analyzed = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).scalar()
        assert analyzed == 0
        worker = Worker(db, Settings(data_dir=tmp_path, run_worker=False))
        assert worker.run_once() == 0
        with db.engine.connect() as conn:
            tables = {row[0] for row in conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1")}
        assert tables >= TABLES
        start = NOW - 100 * DAY

        def run(session: Session) -> None:
            events_in_window(
                session, EventFilter(calendar_id="c00042", start=start, end=start + DAY)
            )

        _check(db, _plans(db, run), events_bounded=True)
    finally:
        db.dispose()

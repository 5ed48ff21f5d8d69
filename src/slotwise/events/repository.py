"""All event queries."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Row,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from slotwise.db.lists import bound_list, one_of
from slotwise.db.models import Event
from slotwise.db.models.event import SHORT_SPAN_SECONDS

# Spelt exactly as the partial index's predicate (models.event.LONG_SPAN_PREDICATE), operands
# in that order and the number inline, not bound: the planners match predicates as written.
_SPAN = Event.end_ts - Event.start_ts
_LONG = _SPAN > literal_column(str(SHORT_SPAN_SECONDS))  # noqa: SIM300
_SHORT = _SPAN <= literal_column(str(SHORT_SPAN_SECONDS))  # noqa: SIM300

TENTATIVE = ("maybe", "tentative")


@dataclass
class EventFilter:
    calendar_id: str
    start: int
    end: int
    show_cancelled: bool = False
    busy: bool | None = None
    title: str | None = None
    description: str | None = None
    location: str | None = None
    master_event_id: str | None = None
    ical_uid: str | None = None
    updated_after: int | None = None
    updated_before: int | None = None
    key_columns: dict[str, str] = field(default_factory=dict)  # key1..key5 equality


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_event(session: Session, event_id: str, *, for_update: bool = False) -> Event | None:
    """`for_update` locks the row (PostgreSQL; SQLite writers are already serialised)."""
    if for_update:
        return session.get(Event, event_id, with_for_update=True, populate_existing=True)
    return session.get(Event, event_id)


class filter_only(GenericFunction[int]):  # noqa: N801 (SQL functions are lower case)
    """`filter_only(column)`: the column's value, which SQLite may not use to pick an index
    (its documented unary `+`; plain on PostgreSQL, whose planner chose well without it).

    For a condition that only filters rows an index range has found. SQLite without fresh
    statistics (a server started on an empty database, then filled before the worker's next
    refresh) took `start_ts < :end` as a range of ix_events_calendar_span for the long events'
    and the ending series' branches: each calendar's whole past, read on every request."""

    type = BigInteger()
    name = "filter_only"
    inherit_cache = True


@compiles(filter_only, "sqlite")
def _filter_only_sqlite(element: filter_only, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(filter_only, "postgresql")
def _filter_only_postgresql(element: filter_only, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


def _window_branches(start: Any, end: Any, look_back_from: Any) -> list[Any]:
    """The four disjoint ways an event reaches [start, end), each an index range bounded by
    the window: short single events (start_ts from `look_back_from` = start - SHORT_SPAN),
    long single events (partial index, by end_ts), recurring masters whose last occurrence
    ends after `start`, and open-ended masters (both from the masters' partial index, the
    open-ended ones by start_ts too). In the long events' and the ending series' branches,
    starting before the window's end only filters (`filter_only`)."""
    starts_before_end = filter_only(Event.start_ts) < end
    return [
        and_(
            Event.is_recurring == false(),
            _SHORT,
            Event.start_ts >= look_back_from,
            Event.start_ts < end,
        ),
        and_(Event.is_recurring == false(), _LONG, Event.end_ts > start, starts_before_end),
        and_(Event.is_recurring == true(), Event.recur_until > start, starts_before_end),
        and_(Event.is_recurring == true(), Event.recur_until.is_(None), Event.start_ts < end),
    ]


def events_in_window(session: Session, f: EventFilter) -> list[Event]:
    """Single events overlapping [start, end) and recurring masters that may; in start order.

    A zero-length event counts when it starts inside the window.
    """
    common: list[Any] = [Event.calendar_id == f.calendar_id]
    if not f.show_cancelled:
        common.append(Event.status != "cancelled")
    if f.busy is not None:
        common.append(Event.busy == (true() if f.busy else false()))
    for column, text in (
        (Event.title, f.title),
        (Event.description, f.description),
        (Event.location, f.location),
    ):
        if text:
            common.append(func.lower(column).like(_like(text), escape="\\"))
    if f.master_event_id:
        common.append(
            or_(Event.id == f.master_event_id, Event.master_event_id == f.master_event_id)
        )
    if f.ical_uid:
        common.append(Event.ical_uid == f.ical_uid)
    if f.updated_after is not None:
        common.append(Event.updated_at > f.updated_after)
    if f.updated_before is not None:
        common.append(Event.updated_at < f.updated_before)
    for key, value in f.key_columns.items():
        common.append(getattr(Event, key) == value)
    short, long, ending, open_ended = _window_branches(f.start, f.end, f.start - SHORT_SPAN_SECONDS)
    overlaps = or_(
        Event.end_ts > f.start, and_(Event.end_ts == Event.start_ts, Event.start_ts >= f.start)
    )
    branches = union_all(
        select(Event).where(*common, short, overlaps),
        select(Event).where(*common, long),
        select(Event).where(*common, ending),
        select(Event).where(*common, open_ended),
    )
    ordered = branches.order_by(branches.selected_columns.start_ts, branches.selected_columns.id)
    return list(session.scalars(select(Event).from_statement(ordered)))


def exceptions_of(session: Session, master_id: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.master_event_id == master_id)))


# Spelt inline, not bound: SQLite's partial index of busy single events excludes cancelled
# ones (models.event.BUSY_SINGLES_SQLITE), and a planner matches a predicate only as written.
_NOT_CANCELLED = Event.status != literal_column("'cancelled'")


def _busy_conditions(tentative_as_busy: bool, exclude: bool) -> list[Any]:
    """Busy and not cancelled (nor tentative, unless it counts), not excluded; the calendar
    condition is each statement's own."""
    conditions: list[Any] = [Event.busy == true(), _NOT_CANCELLED]
    if not tentative_as_busy:
        conditions.append(Event.status.not_in(TENTATIVE))
    if exclude:
        conditions.append(~one_of(Event.id, bound_list("exclude")))
    return conditions


def _of_calendars() -> Any:
    return one_of(Event.calendar_id, bound_list("calendar_ids"))


class span_lists(GenericFunction[Any]):  # noqa: N801 (SQL functions are lower case)
    """`span_lists(start, end)`: the aggregate of a group's spans as one value, its starts and
    its ends as two lists consumed in the same pass (so they pair up element by element, in
    no particular order, which `read_busy` sorts), as JSON text `[[starts], [ends]]` on both
    databases. On PostgreSQL a two-row int8 array came over as text that psycopg parsed at
    about three times orjson's cost for the same numbers (0.5 ms of a 50-person month's
    request, in the server's own thread)."""

    name = "span_lists"
    inherit_cache = True


@compiles(span_lists, "sqlite")
def _span_lists_sqlite(element: span_lists, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"json_array(json_group_array({start}), json_group_array({end}))"


@compiles(span_lists, "postgresql")
def _span_lists_postgresql(element: span_lists, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(json_build_array(array_agg({start}), array_agg({end})) AS TEXT)"


def decode_spans(value: str) -> list[list[int]]:
    """A `span_lists` as the driver returned it: [starts, ends]."""
    spans: list[list[int]] = orjson.loads(value)
    return spans


@functools.cache
def _busy_queries(dialect: str, tentative_as_busy: bool, exclude: bool) -> tuple[Any, Any]:
    """The busy events of a window in two statements, each a UNION ALL of window branches
    that keep their own bounded index ranges: single events (short ones through the covering
    ix_events_busy_singles, long ones by end) and recurring masters (ending after the window
    starts, or open-ended). Built once per variant: availability and every booking re-check
    run them, and a reused statement skips construction and cache-key work.

    Two statements rather than one: single events are thousands of rows on a large request and
    need three columns; the masters are few and need their recurrence.

    On SQLite the short single events are aggregated calendar by calendar, a subquery per
    requested calendar id, not grouped after one scan of them all: GROUP BY compared every
    event's calendar id with the last one's, a sixth of the statement on a 50-person month.
    """
    start, end = bindparam("start", type_=BigInteger), bindparam("end", type_=BigInteger)
    look_back_from = bindparam("look_back_from", type_=BigInteger)
    short, long, ending, open_ended = _window_branches(start, end, look_back_from)
    conditions = _busy_conditions(tentative_as_busy, exclude)
    of_calendars = _of_calendars()
    spans = span_lists(Event.start_ts, Event.end_ts)
    if dialect == "sqlite":
        wanted = func.json_each(bound_list("calendar_ids")).table_valued("value").alias("wanted")
        per_calendar = (
            select(spans)
            .where(Event.calendar_id == wanted.c.value, *conditions, short, Event.end_ts > start)
            .scalar_subquery()
        )
        short_singles = select(wanted.c.value, per_calendar)
    else:
        short_singles = (
            select(Event.calendar_id, spans)
            .where(of_calendars, *conditions, short, Event.end_ts > start)
            .group_by(Event.calendar_id)
        )
    long_singles = (
        select(Event.calendar_id, spans)
        .where(of_calendars, *conditions, long)
        .group_by(Event.calendar_id)
    )
    master_columns = (
        Event.id,
        Event.calendar_id,
        Event.start_ts,
        Event.end_ts,
        Event.timezone,
        Event.recurrence,
        Event.when,
    )
    masters = union_all(
        select(*master_columns).where(of_calendars, *conditions, ending),
        select(*master_columns).where(of_calendars, *conditions, open_ended),
    )
    return union_all(short_singles, long_singles), masters


@dataclass(frozen=True)
class BusyRows:
    """What `busy_rows` reads: single events as (calendar_id, starts, ends), the spans of one
    calendar's events in two lists (a calendar may come twice, once for its short events and
    once for its long ones), and recurring masters as rows of (id, calendar_id, start_ts,
    end_ts, timezone, recurrence, when)."""

    singles: Sequence[tuple[str, list[int], list[int]]]
    masters: Sequence[Row[Any]]


def busy_rows(
    session: Session,
    calendar_ids: Sequence[str],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool,
    exclude: Collection[str],
) -> BusyRows:
    """Busy single events overlapping [start, end) and busy recurring masters that may reach
    it (see `BusyRows`)."""
    params: dict[str, Any] = {
        "calendar_ids": list(calendar_ids),
        "start": start,
        "end": end,
        "look_back_from": start - SHORT_SPAN_SECONDS,
    }
    if exclude:
        params["exclude"] = list(exclude)
    connection = session.connection()
    singles, masters = _busy_queries(connection.dialect.name, tentative_as_busy, bool(exclude))
    # The single events come aggregated, a row per calendar with its starts and ends as two
    # lists: on a large request (thousands of events) a row per event cost more than the
    # engine's whole work on them, most of it in building a Python row and a calendar id
    # string for every event. The rows are the driver's own tuples, not Rows, read through the
    # session's connection (its transaction, events and statement cache).
    result = connection.execute(singles, params)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    spans = []
    for calendar_id, value in rows:
        starts, ends = decode_spans(value)
        if starts:
            spans.append((calendar_id, starts, ends))
    return BusyRows(spans, connection.execute(masters, params).all())


@functools.cache
def _busy_event_singles(tentative_as_busy: bool) -> Any:
    """`_busy_queries`' single events with their ids (explanations name the event)."""
    start, end = bindparam("start", type_=BigInteger), bindparam("end", type_=BigInteger)
    look_back_from = bindparam("look_back_from", type_=BigInteger)
    short, long, _, _ = _window_branches(start, end, look_back_from)
    conditions = [_of_calendars(), *_busy_conditions(tentative_as_busy, False)]
    columns = (Event.id, Event.calendar_id, Event.start_ts, Event.end_ts)
    return union_all(
        select(*columns).where(*conditions, short, Event.end_ts > start),
        select(*columns).where(*conditions, long),
    )


def busy_event_rows(
    session: Session, calendar_ids: Sequence[str], start: int, end: int, *, tentative_as_busy: bool
) -> tuple[Sequence[Row[Any]], Sequence[Row[Any]]]:
    """`busy_rows` with each single event's id: (singles as rows of id, calendar_id,
    start_ts, end_ts; masters as `busy_rows` reads them). For explanations, off the
    listing's hot path."""
    params: dict[str, Any] = {
        "calendar_ids": list(calendar_ids),
        "start": start,
        "end": end,
        "look_back_from": start - SHORT_SPAN_SECONDS,
    }
    dialect = session.connection().dialect.name
    singles = session.execute(_busy_event_singles(tentative_as_busy), params).all()
    masters = session.execute(_busy_queries(dialect, tentative_as_busy, False)[1], params).all()
    return singles, masters


def last_booked(
    session: Session, grant_ids: Collection[str], keys: Collection[str] | None
) -> dict[str, int]:
    """When each grant was last booked into a round-robin group: the newest creation time of
    its non-cancelled events whose `metadata.key5` is one of `keys` (any key5 when None).

    One query on the indexed key5 column. Creation time, not start: a guest booking far ahead
    still moves the host to the back of the line at once; a cancelled meeting does not.
    """
    if not grant_ids or (keys is not None and not keys):
        return {}
    group = Event.key5.in_(list(keys)) if keys is not None else Event.key5.is_not(None)
    query = (
        select(Event.grant_id, func.max(Event.created_at))
        .where(group, Event.grant_id.in_(list(grant_ids)), Event.status != "cancelled")
        .group_by(Event.grant_id)
    )
    return {grant_id: int(at) for grant_id, at in session.execute(query) if at is not None}


def last_booked_order(
    session: Session, grant_ids: Collection[str], keys: Collection[str]
) -> dict[str, tuple[int, int]]:
    """Like `last_booked`, with each grant's newest event as (created_at, rotation_seq): a
    total order, since the sequence separates bookings made in the same second."""
    if not grant_ids or not keys:
        return {}
    seq = func.coalesce(Event.rotation_seq, 0)
    rank = (
        func.row_number()
        .over(partition_by=Event.grant_id, order_by=(Event.created_at.desc(), seq.desc()))
        .label("rank")
    )
    newest = (
        select(Event.grant_id, Event.created_at, seq.label("seq"), rank)
        .where(
            Event.key5.in_(list(keys)),
            Event.grant_id.in_(list(grant_ids)),
            Event.status != "cancelled",
        )
        .subquery()
    )
    query = select(newest.c.grant_id, newest.c.created_at, newest.c.seq).where(newest.c.rank == 1)
    return {g: (int(at), int(n)) for g, at, n in session.execute(query) if at is not None}

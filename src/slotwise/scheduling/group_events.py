"""Group events: the events of the organizer's calendar a group configuration sells seats in.

A group event is an ordinary event (events.service: created, changed and listed as any other,
recurring ones included) plus a `group_events` row naming its configuration and the seats
each occurrence has. An occurrence is named by its event id: the event's own for a single
event, `<master>_<start>` for one of a series (events.service's instance ids), so that a
seat (a booking's `group_event_id`) names exactly one meeting.

A change that would leave a live seat without its meeting (a new time, a shorter series, a
deletion) or with fewer seats than are taken is refused: the organizer cancels those
bookings first, and each guest is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.calendars.service import resolve_calendar
from slotwise.db.models import Calendar, Configuration, Event, Grant, GroupEvent
from slotwise.documents import read_document
from slotwise.errors import Conflict, InvalidRequest, NotFound, field_error
from slotwise.events import service as events
from slotwise.events.repository import EventFilter
from slotwise.eventtime.recurrence import split_instance_id
from slotwise.scheduling import group_repository as repository
from slotwise.scheduling.offer import bookable_window, is_expired
from slotwise.scheduling.schemas import (
    DAY,
    MAX_OFFER_WINDOW_DAYS,
    GroupEventBody,
    ImportedGroupEvent,
)
from slotwise.scheduling.service import group_calendar_of

DEFAULT_CAPACITY = 10  # the editor's default too
GROUP_SOURCE = "scheduler-group"
# Listing needs a bounded window; without one the editor's week around now.
DEFAULT_LIST_WINDOW = 7 * 86_400


@dataclass(frozen=True)
class Occurrence:
    """One meeting of a group event: its event (as the events API shows it) and seats."""

    group: GroupEvent
    data: dict[str, Any]  # the v3 Event object of the occurrence

    @property
    def event_id(self) -> str:
        return str(self.data["id"])

    @property
    def master_id(self) -> str | None:
        """The series' id for an occurrence of a recurring group event."""
        return self.group.event_id if self.event_id != self.group.event_id else None

    @property
    def start(self) -> int:
        return int(self.data["when"]["start_time"])

    @property
    def end(self) -> int:
        return int(self.data["when"]["end_time"])


def require_group(config: Configuration) -> None:
    if not read_document(config).is_group:
        raise InvalidRequest('type: this configuration is not of type "group"')


def owner_of(session: Session, config: Configuration) -> Grant:
    grant = session.get(Grant, config.grant_id)
    if grant is None:  # the configuration is deleted with its grant
        raise NotFound(f"configuration {config.id} not found")
    return grant


def _timed(data: dict[str, Any]) -> bool:
    when = data["when"]  # every v3 Event object has one (events.service.event_to_dict)
    return "start_time" in when and "end_time" in when


def occurrences(session: Session, config: Configuration, lo: int, hi: int) -> list[Occurrence]:
    """The meetings of the configuration's group events overlapping [lo, hi), by start."""
    groups = {g.event_id: g for g in repository.group_events_of(session, config.id)}
    found: list[Occurrence] = []
    for calendar_id in sorted({g.calendar_id for g in groups.values()}):
        for data in events.list_events(session, EventFilter(calendar_id, lo, hi)):
            group = groups.get(str(data["id"])) or groups.get(str(data.get("master_event_id")))
            if group is not None and _timed(data):
                found.append(Occurrence(group, data))
    found.sort(key=lambda o: (o.start, o.event_id))
    return found


def find_occurrence(
    session: Session, config: Configuration, event_id: str, start: int, end: int
) -> Occurrence | None:
    """The meeting `event_id` at exactly [start, end), if the configuration offers it."""
    for occurrence in occurrences(session, config, start, end):
        if occurrence.event_id == event_id and (occurrence.start, occurrence.end) == (start, end):
            return occurrence
    return None


def _master_id(event_id: str) -> str:
    parts = split_instance_id(event_id)
    return parts[0] if parts is not None else event_id


def _group_of(session: Session, config: Configuration, event_id: str) -> GroupEvent:
    group = repository.find_group_event(session, _master_id(event_id))
    if group is None or group.configuration_id != config.id:
        raise NotFound(f"event_id: no group event {event_id!r} in this configuration")
    return group


def _calendar(session: Session, owner: Grant, group: GroupEvent) -> Calendar:
    return resolve_calendar(session, owner, group.calendar_id)


# ---------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class Listed:
    """What the wire shape of one listed event needs (scheduling.wire.group_event_to_dict)."""

    data: dict[str, Any]
    group: GroupEvent | None  # None: a plain event of the calendar (`show_all`)
    rrule: list[str]
    taken: int
    waiting: int


def _listed(
    session: Session, items: Sequence[tuple[dict[str, Any], GroupEvent | None]]
) -> list[Listed]:
    ids = [str(d["id"]) for d, g in items if g is not None]
    taken = repository.seats_taken(session, ids)
    waiting = repository.waiting_counts(session, ids)
    masters: dict[str, list[str]] = {}
    out = []
    for data, group in items:
        if group is not None and group.event_id not in masters:
            master = session.get(Event, group.event_id)
            masters[group.event_id] = list(master.recurrence or []) if master else []
        key = str(data["id"])
        out.append(
            Listed(
                data,
                group,
                masters.get(group.event_id, []) if group else [],
                taken.get(key, 0),
                waiting.get(key, 0),
            )
        )
    return out


def list_group_events(
    session: Session,
    config: Configuration,
    *,
    start: int | None,
    end: int | None,
    calendar_id: str | None,
    show_all: bool,
) -> list[Listed]:
    """The group events' meetings in the window; with `show_all`, the calendar's other
    events too (the editor offers to import them)."""
    require_group(config)
    lo = start if start is not None else clock.now()
    hi = end if end is not None else lo + DEFAULT_LIST_WINDOW
    if hi <= lo:
        raise field_error("end_time", "must be after start_time")
    if hi - lo > MAX_OFFER_WINDOW_DAYS * DAY:
        # One page holds every meeting of the window: a bounded window keeps it bounded.
        raise field_error("end_time", f"the window may span at most {MAX_OFFER_WINDOW_DAYS} days")
    items: list[tuple[dict[str, Any], GroupEvent | None]] = [
        (o.data, o.group) for o in occurrences(session, config, lo, hi)
    ]
    if show_all:
        owner = owner_of(session, config)
        calendar = (
            resolve_calendar(session, owner, calendar_id)
            if calendar_id
            else group_calendar_of(session, config)
        )
        grouped = {str(d["id"]) for d, _ in items}
        for data in events.list_events(session, EventFilter(calendar.id, lo, hi)):
            master_id = str(data.get("master_event_id") or data["id"])
            if str(data["id"]) in grouped or repository.find_group_event(session, master_id):
                continue
            items.append((data, None))
        items.sort(key=lambda item: (_start_of(item[0]), str(item[0]["id"])))
    return _listed(session, items)


def _start_of(data: dict[str, Any]) -> int:
    when = data["when"]
    return int(when.get("start_time") or when.get("time") or 0)


def get_group_event(session: Session, config: Configuration, event_id: str) -> Listed:
    require_group(config)
    group = _group_of(session, config, event_id)
    owner = owner_of(session, config)
    data = events.get_event_dict(session, owner, _calendar(session, owner, group), event_id)
    return _listed(session, [(data, group)])[0]


# ---------------------------------------------------------------------------- writes


def _event_body(owner: Grant, body: GroupEventBody) -> dict[str, Any]:
    event = dict(body.event)
    participants = event.get("participants")
    if isinstance(participants, list):
        # The organizer is the calendar's owner, not a participant of its own event.
        event["participants"] = [
            p
            for p in participants
            if not (isinstance(p, dict) and str(p.get("email", "")).lower() == owner.email.lower())
        ]
    return event


def _default_capacity(config: Configuration) -> int:
    group = read_document(config).group_booking
    return (group.default_capacity if group else None) or DEFAULT_CAPACITY


def _check_timed(event: Event) -> None:
    if event.when.get("object") != "timespan":
        raise field_error("when", "a group event needs start_time and end_time")


def create_group_event(session: Session, config: Configuration, body: GroupEventBody) -> Listed:
    require_group(config)
    owner = owner_of(session, config)
    if body.calendar_id:
        calendar = resolve_calendar(session, owner, body.calendar_id)
    else:
        calendar = group_calendar_of(session, config)
    if not body.event.get("title"):
        raise field_error("title", "is required")
    if body.event.get("when") is None:
        raise field_error("when", "is required (start_time and end_time)")
    event_body = {
        **_event_body(owner, body),
        "busy": True,
        "metadata": {"source": GROUP_SOURCE, "key5": config.id},
    }
    event = events.create_event(session, owner, calendar, event_body)
    _check_timed(event)
    capacity = body.capacity or _default_capacity(config)
    now = clock.now()
    group = GroupEvent(
        event_id=event.id,
        configuration_id=config.id,
        grant_id=owner.id,
        calendar_id=calendar.id,
        capacity=capacity,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    session.flush()
    return _listed(session, [(events.event_to_dict(event), group)])[0]


def _check_seats_kept(session: Session, config: Configuration, group: GroupEvent) -> None:
    """Every live seat of the group event still has its meeting, and no meeting more guests
    than its seats (after a change, before the commit: raising undoes the change)."""
    seats = repository.live_seats_of_series(session, group.event_id)
    if not seats:
        return
    lo = min(b.start_ts for b in seats)
    hi = max(b.end_ts for b in seats)
    meetings = {
        (o.event_id, o.start, o.end)
        for o in occurrences(session, config, lo, hi)
        if o.group.event_id == group.event_id
    }
    lost = [b for b in seats if (b.group_event_id, b.start_ts, b.end_ts) not in meetings]
    if lost:
        raise Conflict(
            f"event_id: {len(lost)} booked seat(s) are at times this change removes; "
            "cancel those bookings first"
        )
    taken: dict[str, int] = {}
    for b in seats:
        taken[str(b.group_event_id)] = taken.get(str(b.group_event_id), 0) + 1
    most = max(taken.values())
    if group.capacity < most:
        raise field_error("capacity", f"{most} seats are already booked in one meeting")


def update_group_event(
    session: Session, config: Configuration, event_id: str, body: GroupEventBody
) -> Listed:
    """PUT or PATCH: the fields sent change (an occurrence of a series changes alone)."""
    require_group(config)
    group = _group_of(session, config, event_id)
    owner = owner_of(session, config)
    calendar = _calendar(session, owner, group)
    event = events.event_for_write(session, owner, calendar, event_id)
    event_body = _event_body(owner, body)
    if event_body:
        events.update_event(session, event, event_body)
        _check_timed(event)
    if body.capacity is not None:
        group.capacity = body.capacity
    group.updated_at = clock.now()
    session.flush()
    _check_seats_kept(session, config, group)
    data = events.get_event_dict(session, owner, calendar, event.id)
    return _listed(session, [(data, group)])[0]


def delete_group_event(session: Session, config: Configuration, event_id: str) -> None:
    """A whole group event (its series), or one occurrence of a series."""
    require_group(config)
    group = _group_of(session, config, event_id)
    owner = owner_of(session, config)
    seats = repository.live_seats_of_series(session, group.event_id)
    if any(event_id in (group.event_id, b.group_event_id) for b in seats):
        raise Conflict("event_id: it has booked seats; cancel those bookings first")
    events.delete_event(session, owner, _calendar(session, owner, group), event_id)
    if event_id == group.event_id:
        session.delete(group)
        session.flush()


@dataclass(frozen=True)
class ImportResult:
    imported: list[Listed]
    failed: list[dict[str, str]]


def import_group_events(
    session: Session,
    config: Configuration,
    entries: list[ImportedGroupEvent],
    calendar_id: str | None,
) -> ImportResult:
    """Make existing events of the owner's calendars group events (each on its own: one that
    cannot be imported is reported and the others still are)."""
    require_group(config)
    owner = owner_of(session, config)
    imported: list[Listed] = []
    failed: list[dict[str, str]] = []
    default = _default_capacity(config)
    for entry in entries:
        try:
            calendar = resolve_calendar(
                session, owner, entry.calendar_id or calendar_id or "primary"
            )
            event, _ = events.locate(session, owner, calendar, entry.event_id)
        except NotFound as exc:
            failed.append({"event_id": entry.event_id, "reason": str(exc)})
            continue
        master_id = event.master_event_id or event.id
        master = session.get(Event, master_id)
        if (
            master is None
            or master.status == "cancelled"
            or master.when.get("object") != "timespan"
        ):
            failed.append(
                {"event_id": entry.event_id, "reason": "only a timed, live event can be imported"}
            )
            continue
        if repository.find_group_event(session, master_id) is not None:
            failed.append({"event_id": entry.event_id, "reason": "it is already a group event"})
            continue
        now = clock.now()
        group = GroupEvent(
            event_id=master_id,
            configuration_id=config.id,
            grant_id=owner.id,
            calendar_id=calendar.id,
            capacity=entry.capacity or default,
            created_at=now,
            updated_at=now,
        )
        session.add(group)
        session.flush()
        imported.append(_listed(session, [(events.event_to_dict(master), group)])[0])
    return ImportResult(imported, failed)


# ---------------------------------------------------------------------------- the offer


@dataclass(frozen=True)
class GroupSlot:
    occurrence: Occurrence
    remaining: int  # seats left (0: full; a guest may still join its waitlist)
    host_email: str


def group_offer(
    session: Session, config: Configuration, start: int, end: int, *, now: int
) -> list[GroupSlot]:
    """The meetings starting in [start, end) that the scheduler's rules let a guest book
    (notice, horizon, expiry), with the seats each has left."""
    document = read_document(config)
    lo, hi = bookable_window(document, start, end, now)
    if hi <= lo or is_expired(session, config, now):
        return []
    found = [o for o in occurrences(session, config, lo, hi) if lo <= o.start < hi]
    taken = repository.seats_taken(session, [o.event_id for o in found])
    email = owner_of(session, config).email
    return [GroupSlot(o, max(0, o.group.capacity - taken.get(o.event_id, 0)), email) for o in found]

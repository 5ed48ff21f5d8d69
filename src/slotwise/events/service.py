"""Event rules: create, update, cancel, RSVP, list with recurrence expansion.

Instances of a recurring series have ids `<master id>_<YYYYMMDDTHHMMSSZ>` (their start in UTC).
Changing one instance stores it as an exception row (carrying `master_event_id` and its
original start) and adds an EXDATE for it to the master; deleting one only adds the EXDATE.
Deleting an event marks it cancelled: it leaves lists and busy time, but stays findable by id
(bookings refer to their events after cancellation). Updates and cancellations are published
(`providers.changes`) so that the bookings made through those events follow them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock, notifications
from slotwise.availability import zones
from slotwise.db.models import Calendar, Event, Grant
from slotwise.db.rows import insert_row
from slotwise.errors import InvalidRequest, NotFound, field_error
from slotwise.events import repository
from slotwise.events.repository import EventFilter
from slotwise.events.schemas import METADATA_KEYS, EventFields, Participant, RsvpBody
from slotwise.events.writeback import write_back
from slotwise.eventtime.recurrence import (
    RecurrenceError,
    Series,
    exdate_line,
    instance_id,
    parse_series,
    split_instance_id,
)
from slotwise.eventtime.when import When, parse_when
from slotwise.ids import new_id
from slotwise.providers import changes
from slotwise.validation import validate_model

_EXTRA_FIELDS = ("conferencing", "reminders", "resources", "notetaker")
_RSVP_STATUS = {"yes": "confirmed", "maybe": "maybe", "no": "confirmed"}


# ---------------------------------------------------------------------------- wire objects


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def event_to_dict(event: Event) -> dict[str, Any]:
    """The v3 Event object."""
    extra = event.extra or {}
    data: dict[str, Any] = {
        "id": event.id,
        "object": "event",
        "grant_id": event.grant_id,
        "calendar_id": event.calendar_id,
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "busy": event.busy,
        "status": event.status,
        "when": dict(event.when),
        "participants": [dict(p) for p in event.participants or []],
        "metadata": dict(event.event_metadata or {}),
        "organizer": event.organizer,
        "creator": event.organizer,
        "capacity": event.capacity,
        "visibility": extra.get("visibility"),
        "hide_participants": bool(extra.get("hide_participants", False)),
        "read_only": False,
        "ical_uid": event.ical_uid,
        "html_link": None,
        "sequence": event.sequence,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }
    if event.is_recurring:
        data["recurrence"] = list(event.recurrence or [])
    if event.master_event_id:
        data["master_event_id"] = event.master_event_id
        data["original_start_time"] = event.original_start_ts
    for key in _EXTRA_FIELDS:
        if extra.get(key) is not None:
            data[key] = extra[key]
    return data


def _instance_when(master: Event, start: int, end: int) -> dict[str, Any]:
    shape = master.when.get("object")
    tz = zones.zone(master.timezone)
    if shape == "date":
        return {"object": "date", "date": zones.epoch_to_local(start, tz).date().isoformat()}
    if shape == "datespan":
        first = zones.epoch_to_local(start, tz).date()
        last = zones.epoch_to_local(end, tz).date()
        return {
            "object": "datespan",
            "start_date": first.isoformat(),
            "end_date": (last - timedelta(days=1)).isoformat(),
        }
    if shape == "time":
        return _drop_none(
            {"object": "time", "time": start, "timezone": master.when.get("timezone")}
        )
    return _drop_none(
        {
            "object": "timespan",
            "start_time": start,
            "end_time": end,
            "start_timezone": master.when.get("start_timezone"),
            "end_timezone": master.when.get("end_timezone"),
        }
    )


def instance_to_dict(master: Event, start: int, end: int) -> dict[str, Any]:
    data = event_to_dict(master)
    data.pop("recurrence", None)
    data["id"] = instance_id(master.id, start)
    data["when"] = _instance_when(master, start, end)
    data["master_event_id"] = master.id
    data["original_start_time"] = start
    return data


def _deleted_payload(event_id: str, event: Event, master_id: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": event_id,
        "calendar_id": event.calendar_id,
        "grant_id": event.grant_id,
        "object": "event",
    }
    if master_id:
        payload["master_event_id"] = master_id
    if event.event_metadata:
        payload["metadata"] = dict(event.event_metadata)
    return payload


# ---------------------------------------------------------------------------- validation


def _participants(items: list[Participant]) -> list[dict[str, Any]]:
    return [
        _drop_none(
            {
                "email": p.email,
                "name": p.name,
                "status": p.status or "noreply",
                "comment": p.comment,
                "phone_number": p.phone_number,
            }
        )
        for p in items
    ]


def _check_capacity(capacity: int | None, participants: list[dict[str, Any]]) -> None:
    if capacity is not None and capacity != -1 and len(participants) > capacity:
        raise field_error(
            "participants", f"{len(participants)} participants exceed the capacity of {capacity}"
        )


def series_of(event: Event, *, check_occurs: bool = False) -> Series:
    return parse_series(
        event.recurrence or [],
        first_start=event.start_ts,
        first_end=event.end_ts,
        timezone=event.timezone,
        all_day=event.when.get("object") in ("date", "datespan"),
        check_occurs=check_occurs,
    )


def _apply_recurrence(event: Event, lines: list[str] | None) -> None:
    if not lines:
        event.is_recurring = False
        event.recurrence = None
        event.recur_until = None
        return
    event.is_recurring = True
    event.recurrence = list(lines)
    try:
        series = series_of(event, check_occurs=True)
    except RecurrenceError as exc:
        raise InvalidRequest(str(exc)) from None
    event.recur_until = series.last_end()


def _apply_when(event: Event, when: When) -> None:
    event.when = when.data
    event.start_ts = when.start
    event.end_ts = when.end
    event.timezone = when.timezone


def _apply_fields(event: Event, fields: EventFields, sent: set[str]) -> None:
    if "title" in sent:
        event.title = fields.title
    if "description" in sent:
        event.description = fields.description
    if "location" in sent:
        event.location = fields.location
    if "busy" in sent:
        event.busy = True if fields.busy is None else fields.busy
    if "participants" in sent:
        event.participants = _participants(fields.participants or [])
    if "metadata" in sent:
        metadata = dict(fields.metadata or {})
        event.event_metadata = metadata
        for key in METADATA_KEYS:
            setattr(event, key, metadata.get(key))
    if "capacity" in sent:
        event.capacity = fields.capacity
    extra = dict(event.extra or {})
    for key in (*_EXTRA_FIELDS, "visibility", "hide_participants"):
        if key in sent:
            value = getattr(fields, key)
            if isinstance(value, list):
                value = [v.model_dump(exclude_none=True) for v in value]
            elif hasattr(value, "model_dump"):
                value = value.model_dump(exclude_none=True)
            extra[key] = value
    event.extra = extra


def _sent(body: dict[str, Any], fields: EventFields) -> set[str]:
    sent = set(fields.model_fields_set)
    if "phoneNumber" in body:
        sent.add("participants")
    return sent


# ---------------------------------------------------------------------------- writes


def build_event(grant: Grant, calendar: Calendar, body: dict[str, Any], now: int) -> Event:
    """The new event row `body` describes, validated as the API does, not yet stored.

    `create_event` stores it; bulk loaders (bench/scale.py) build rows with it too, so what they
    insert is exactly what the server writes.
    """
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    fields = validate_model(EventFields, body)
    if body.get("when") is None:
        raise field_error("when", "is required")
    if calendar.read_only:
        raise field_error("calendar_id", "the calendar is read-only")
    event = Event(
        id=new_id(),
        grant_id=grant.id,
        calendar_id=calendar.id,
        busy=True,
        status="confirmed",
        participants=[],
        event_metadata={},
        organizer=_drop_none({"email": grant.email, "name": grant.name}),
        sequence=0,
        extra={},
        created_at=now,
        updated_at=now,
    )
    event.ical_uid = f"{event.id}@slotwise"
    _apply_when(event, parse_when(body["when"], calendar.timezone))
    _apply_fields(event, fields, _sent(body, fields))
    _check_capacity(event.capacity, event.participants)
    _apply_recurrence(event, fields.recurrence)
    return event


def create_event(session: Session, grant: Grant, calendar: Calendar, body: dict[str, Any]) -> Event:
    """Validate `body` as the API does, store the event, record event.created."""
    event = build_event(grant, calendar, body, clock.now())
    insert_row(session, event)
    write_back(session, event)
    notifications.record(session, "event.created", event_to_dict(event))
    return event


def update_event(session: Session, event: Event, body: dict[str, Any]) -> Event:
    """Apply a partial update (fields left out stay as they are); record event.updated."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    fields = validate_model(EventFields, body)
    sent = _sent(body, fields)
    if body.get("when") is not None:
        calendar = session.get(Calendar, event.calendar_id)
        _apply_when(event, parse_when(body["when"], calendar.timezone if calendar else None))
    _apply_fields(event, fields, sent)
    _check_capacity(event.capacity, event.participants)
    if "recurrence" in sent and event.master_event_id and fields.recurrence:
        raise field_error("recurrence", "an instance of a series cannot recur itself")
    if "recurrence" in sent:
        _apply_recurrence(event, fields.recurrence)
    elif event.is_recurring and "when" in sent:
        _apply_recurrence(event, event.recurrence)
    event.sequence += 1
    event.updated_at = clock.now()
    session.flush()
    write_back(session, event)
    notifications.record(session, "event.updated", event_to_dict(event))
    changes.publish(session, [event.id])
    return event


def cancel_event(session: Session, event: Event) -> Event:
    """Mark an event (a whole series, for a master) cancelled; record event.deleted."""
    if event.status == "cancelled":
        return event
    now = clock.now()
    targets = [event]
    if not event.master_event_id:
        # Changed instances go with their series (also one made single since).
        targets += [
            e for e in repository.exceptions_of(session, event.id) if e.status != "cancelled"
        ]
    for target in targets:
        target.status = "cancelled"
        target.sequence += 1
        target.updated_at = now
        notifications.record(
            session, "event.deleted", _deleted_payload(target.id, target, target.master_event_id)
        )
    session.flush()
    write_back(session, event)
    changes.publish(session, [t.id for t in targets])
    return event


def _exclude_instance(master: Event, start: int) -> None:
    line = exdate_line(
        start, master.when.get("object") in ("date", "datespan"), zones.zone(master.timezone)
    )
    _apply_recurrence(master, [*(master.recurrence or []), line])
    master.updated_at = clock.now()


def materialize_instance(session: Session, master: Event, start: int, end: int) -> Event:
    """Store one instance of a series as an exception row, so that it can change alone."""
    now = clock.now()
    exception = Event(
        id=instance_id(master.id, start),
        grant_id=master.grant_id,
        calendar_id=master.calendar_id,
        title=master.title,
        description=master.description,
        location=master.location,
        busy=master.busy,
        status=master.status,
        when=_instance_when(master, start, end),
        start_ts=start,
        end_ts=end,
        timezone=master.timezone,
        is_recurring=False,
        master_event_id=master.id,
        original_start_ts=start,
        participants=[dict(p) for p in master.participants or []],
        event_metadata=dict(master.event_metadata or {}),
        organizer=master.organizer,
        capacity=master.capacity,
        ical_uid=master.ical_uid,
        sequence=master.sequence,
        extra=dict(master.extra or {}),
        created_at=now,
        updated_at=now,
    )
    for key in METADATA_KEYS:
        setattr(exception, key, getattr(master, key))
    _exclude_instance(master, start)
    session.add(exception)
    session.flush()
    return exception


def send_rsvp(session: Session, grant: Grant, event: Event, body: dict[str, Any]) -> Event:
    """The grant's answer to an event: yes (busy), maybe (tentative), no (no longer busy)."""
    rsvp = validate_model(RsvpBody, body)
    participants = [dict(p) for p in event.participants or []]
    for participant in participants:
        if str(participant.get("email", "")).lower() == grant.email.lower():
            participant["status"] = rsvp.status
    event.participants = participants
    event.status = _RSVP_STATUS[rsvp.status]
    if rsvp.status == "no":
        event.busy = False
    event.sequence += 1
    event.updated_at = clock.now()
    session.flush()
    write_back(session, event)
    notifications.record(session, "event.updated", event_to_dict(event))
    return event


# ---------------------------------------------------------------------------- reads by id


def _owned(event: Event | None, grant: Grant, calendar: Calendar) -> Event | None:
    if event is None or event.grant_id != grant.id or event.calendar_id != calendar.id:
        return None
    return event


def _instance_span(master: Event, start: int) -> tuple[int, int] | None:
    try:
        spans = series_of(master).between(start, start + 1)
    except RecurrenceError:
        return None
    for s, e in spans:
        if s == start:
            return s, e
    return None


def _not_found(event_id: str) -> NotFound:
    return NotFound(f"event_id: no event {event_id!r} in this calendar")


def locate(
    session: Session, grant: Grant, calendar: Calendar, event_id: str, *, lock: bool = False
) -> tuple[Event, tuple[int, int] | None]:
    """The stored event with this id, or (master, instance span) for a virtual instance.

    `lock` (writes) locks the series' master before anything is read, so that concurrent
    changes to its instances neither both store the same exception nor lose an EXDATE.
    """
    parts = split_instance_id(event_id)
    if lock and parts is not None:
        repository.find_event(session, parts[0], for_update=True)
    event = _owned(repository.find_event(session, event_id, for_update=lock), grant, calendar)
    if event is not None:
        return event, None
    if parts is not None:
        master = _owned(repository.find_event(session, parts[0]), grant, calendar)
        if master is not None and master.is_recurring:
            span = _instance_span(master, parts[1])
            if span is not None:
                return master, span
    raise _not_found(event_id)


def get_event_dict(
    session: Session, grant: Grant, calendar: Calendar, event_id: str
) -> dict[str, Any]:
    event, span = locate(session, grant, calendar, event_id)
    if span is None:
        return event_to_dict(event)
    return instance_to_dict(event, *span)


def event_for_write(session: Session, grant: Grant, calendar: Calendar, event_id: str) -> Event:
    """The row an update or RSVP changes (an instance becomes an exception row first)."""
    event, span = locate(session, grant, calendar, event_id, lock=True)
    if span is None:
        return event
    return materialize_instance(session, event, *span)


def delete_event(session: Session, grant: Grant, calendar: Calendar, event_id: str) -> None:
    event, span = locate(session, grant, calendar, event_id, lock=True)
    if span is None:
        cancel_event(session, event)
        return
    _exclude_instance(event, span[0])
    session.flush()
    write_back(session, event)
    notifications.record(
        session, "event.deleted", _deleted_payload(instance_id(event.id, span[0]), event, event.id)
    )


# ---------------------------------------------------------------------------- lists


def _matches(event: Event, metadata: dict[str, str], attendees: Iterable[str]) -> bool:
    """Whether the event has `metadata` and, if any are named, one of `attendees`; the
    instances of a series carry its metadata and participants, so a series is matched once."""
    stored = event.event_metadata or {}
    if any(stored.get(k) != v for k, v in metadata.items()):
        return False
    wanted = {a.lower() for a in attendees}
    if wanted:
        emails = {str(p.get("email", "")).lower() for p in event.participants or []}
        if not wanted & emails:
            return False
    return True


def list_events(
    session: Session,
    f: EventFilter,
    *,
    expand_recurring: bool = True,
    metadata: dict[str, str] | None = None,
    attendees: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Events of one calendar overlapping the filter's window, in start order."""
    metadata = metadata or {}
    f.key_columns = {k: v for k, v in metadata.items() if k in METADATA_KEYS}
    attendees = list(attendees)
    found: list[tuple[int, str, dict[str, Any]]] = []
    for event in repository.events_in_window(session, f):
        if not _matches(event, metadata, attendees):
            continue
        if not event.is_recurring or not expand_recurring:
            found.append((event.start_ts, event.id, event_to_dict(event)))
            continue
        try:
            spans = series_of(event).between(f.start, f.end)
        except RecurrenceError:
            continue
        for s, e in spans:
            data = instance_to_dict(event, s, e)
            found.append((s, data["id"], data))
    found.sort(key=lambda item: (item[0], item[1]))
    return [data for _, _, data in found]

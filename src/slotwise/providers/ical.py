"""iCalendar text <-> event fields, for mirroring remote objects and writing events back.

One remote object (a CalDAV resource, or one UID of a feed) holds a master VEVENT and any
overridden instances (VEVENTs with RECURRENCE-ID). The mirror keeps the master with its
RRULE/RDATE/EXDATE lines, and each override as an exception row of it, the master carrying an
EXDATE for the override's original start — the same shape the events service gives an instance
changed through the API, so busy time and lists expand them the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar

from slotwise.availability import zones
from slotwise.eventtime.recurrence import RecurrenceError, exdate_line, parse_series
from slotwise.eventtime.when import When, parse_when
from slotwise.validation import MAX_EPOCH

log = logging.getLogger("slotwise.providers")

_PARTSTAT = {"ACCEPTED": "yes", "DECLINED": "no", "TENTATIVE": "maybe"}
_PARTSTAT_BACK = {"yes": "ACCEPTED", "no": "DECLINED", "maybe": "TENTATIVE"}


class ICalError(ValueError):
    """Text that is not a usable iCalendar object."""


@dataclass
class Parsed:
    """The fields of one VEVENT, ready for an `events` row."""

    uid: str
    title: str | None
    description: str | None
    location: str | None
    busy: bool
    status: str
    when: When
    sequence: int
    organizer: dict[str, Any] | None
    participants: list[dict[str, Any]]
    recurrence: list[str] = field(default_factory=list)
    recurrence_id: int | None = None  # original start of an overridden instance


@dataclass
class Resource:
    master: Parsed | None
    overrides: list[Parsed]


def parse_calendar(text: str | bytes) -> icalendar.Calendar:
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception:  # the parser raises ValueError and friends on any bad input
        # Not the parser's message: it quotes the text, which may be a private page's content.
        raise ICalError("not an iCalendar object") from None
    if not isinstance(cal, icalendar.Calendar) or cal.name != "VCALENDAR":
        raise ICalError("not a VCALENDAR")
    return cal


def _zone_name(value: datetime) -> str | None:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(key, str) and zones.is_zone(key) and key != "UTC":
        return key
    return None


def _epoch(value: date | datetime, default_tz: tzinfo) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return zones.local_to_epoch(value, default_tz)
        return int(value.timestamp())
    return zones.midnight(value, default_tz)


def _text(comp: icalendar.cal.Component, name: str) -> str | None:
    value = comp.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _email(value: Any) -> str | None:
    text = str(value or "")
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip() or None


def _person(value: Any) -> dict[str, Any] | None:
    email = _email(value)
    if email is None:
        return None
    person: dict[str, Any] = {"email": email}
    params = getattr(value, "params", {}) or {}
    if params.get("CN"):
        person["name"] = str(params["CN"])
    return person


def _participants(comp: icalendar.cal.Component) -> list[dict[str, Any]]:
    attendees = comp.get("ATTENDEE")
    if attendees is None:
        return []
    if not isinstance(attendees, list):
        attendees = [attendees]
    out = []
    for attendee in attendees:
        person = _person(attendee)
        if person is None:
            continue
        params = getattr(attendee, "params", {}) or {}
        person["status"] = _PARTSTAT.get(str(params.get("PARTSTAT", "")).upper(), "noreply")
        out.append(person)
    return out


def _when(comp: icalendar.cal.Component, calendar_tz: str | None) -> When:
    if comp.get("DTSTART") is None:
        raise ICalError("VEVENT without DTSTART")
    start = comp.decoded("DTSTART")
    end: date | datetime | None = comp.decoded("DTEND") if comp.get("DTEND") is not None else None
    if end is None and comp.get("DURATION") is not None:
        duration = comp.decoded("DURATION")
        end = start + duration if isinstance(duration, timedelta) else None
        if end is None:
            raise ICalError("DURATION is not a duration")
    # The parser hands back the raw text of a value it cannot read (e.g. a bad TZID).
    if not isinstance(start, date) or (end is not None and not isinstance(end, date)):
        raise ICalError("DTSTART/DTEND is not a date or date-time")
    if not isinstance(start, datetime):
        last = start
        if isinstance(end, date) and not isinstance(end, datetime) and end > start:
            last = end - timedelta(days=1)
        if last == start:
            return parse_when({"object": "date", "date": start.isoformat()}, calendar_tz)
        return parse_when(
            {"object": "datespan", "start_date": start.isoformat(), "end_date": last.isoformat()},
            calendar_tz,
        )
    tz_name = _zone_name(start) or (calendar_tz if start.tzinfo is None else None)
    default = zones.zone(calendar_tz)
    s = _epoch(start, default)
    e = _epoch(end, default) if isinstance(end, datetime) else s
    s = min(max(s, 0), MAX_EPOCH)
    e = min(max(e, s), MAX_EPOCH)
    if e == s:
        return parse_when(_drop_none({"object": "time", "time": s, "timezone": tz_name}), None)
    raw = {
        "object": "timespan",
        "start_time": s,
        "end_time": e,
        "start_timezone": tz_name,
        "end_timezone": tz_name,
    }
    return parse_when(_drop_none(raw), None)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _date_line(name: str, value: date | datetime) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"
    if value.tzinfo is None:
        return f"{name}:{value.strftime('%Y%m%dT%H%M%S')}"
    return f"{name}:{value.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _recurrence(comp: icalendar.cal.Component) -> list[str]:
    lines = []
    for rule in _as_list(comp.get("RRULE")):
        lines.append("RRULE:" + rule.to_ical().decode())
    for name in ("RDATE", "EXDATE"):
        for item in _as_list(comp.get(name)):
            for dt in getattr(item, "dts", []):
                value = dt.dt
                if isinstance(value, date | datetime):  # RDATE periods are not kept
                    lines.append(_date_line(name, value))
    return lines


def _status(comp: icalendar.cal.Component) -> str:
    status = (_text(comp, "STATUS") or "").upper()
    if status == "CANCELLED":
        return "cancelled"
    if status == "TENTATIVE":
        return "maybe"
    return "confirmed"


def _parse_vevent(comp: icalendar.cal.Component, calendar_tz: str | None) -> Parsed:
    uid = _text(comp, "UID")
    if not uid:
        raise ICalError("VEVENT without UID")
    try:
        sequence = int(str(comp.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0
    return Parsed(
        uid=uid,
        title=_text(comp, "SUMMARY"),
        description=_text(comp, "DESCRIPTION"),
        location=_text(comp, "LOCATION"),
        busy=(_text(comp, "TRANSP") or "OPAQUE").upper() != "TRANSPARENT",
        status=_status(comp),
        when=_when(comp, calendar_tz),
        sequence=max(0, min(sequence, 2**31 - 1)),
        organizer=_person(comp.get("ORGANIZER")),
        participants=_participants(comp),
        recurrence=_recurrence(comp),
    )


def parse_resource(text: str, calendar_tz: str | None) -> Resource:
    """The master and overridden instances of one object (all VEVENTs share one UID)."""
    cal = parse_calendar(text)
    master: Parsed | None = None
    overrides: list[tuple[date | datetime, Parsed]] = []
    for comp in cal.walk("VEVENT"):
        parsed = _parse_vevent(comp, calendar_tz)
        if comp.get("RECURRENCE-ID") is not None:
            overrides.append((comp.decoded("RECURRENCE-ID"), parsed))
        elif master is None:
            master = parsed
    if master is None and not overrides:
        raise ICalError("no VEVENT")
    resolved: list[Parsed] = []
    if master is not None and master.recurrence:
        tz = zones.zone(master.when.timezone)
        all_day = master.when.all_day
        for original, parsed in overrides:
            parsed.recurrence_id = _epoch(original, tz)
            resolved.append(parsed)
            master.recurrence.append(exdate_line(parsed.recurrence_id, all_day, tz))
        try:
            parse_series(
                master.recurrence,
                first_start=master.when.start,
                first_end=master.when.end,
                timezone=master.when.timezone,
                all_day=all_day,
                # A rule that never occurs would be walked to year 9999 on every read.
                check_occurs=True,
            )
        except RecurrenceError as exc:
            log.warning("%s: recurrence not supported (%s); keeping one instance", master.uid, exc)
            master.recurrence = []
            resolved = []
    elif master is None:
        # Only instances of someone else's series (an invitation to some of them): each one
        # is an event of its own.
        return Resource(None, [p for _, p in overrides])
    return Resource(master, resolved)


# ---------------------------------------------------------------------------- writing


def _dt(epoch: int, tz_name: str | None) -> datetime:
    if tz_name:
        return datetime.fromtimestamp(epoch, zones.zone(tz_name))
    return datetime.fromtimestamp(epoch, UTC)


def _add_when(vevent: icalendar.Event, row: Any) -> None:
    shape = (row.when or {}).get("object")
    tz = zones.zone(row.timezone)
    if shape in ("date", "datespan"):
        first = zones.epoch_to_local(row.start_ts, tz).date()
        last = zones.epoch_to_local(max(row.end_ts, row.start_ts + 1), tz).date()
        if last <= first:
            last = first + timedelta(days=1)
        vevent.add("DTSTART", first)
        vevent.add("DTEND", last)
        return
    vevent.add("DTSTART", _dt(row.start_ts, row.timezone))
    vevent.add("DTEND", _dt(row.end_ts, row.timezone))


def _recurrence_id(master: Any, start: int) -> date | datetime:
    if (master.when or {}).get("object") in ("date", "datespan"):
        return zones.epoch_to_local(start, zones.zone(master.timezone)).date()
    return _dt(start, master.timezone)


def _vevent(row: Any, *, uid: str, recurrence_id: date | datetime | None = None) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", datetime.now(UTC))
    if recurrence_id is not None:
        vevent.add("RECURRENCE-ID", recurrence_id)
    _add_when(vevent, row)
    vevent.add("SEQUENCE", row.sequence or 0)
    if row.title:
        vevent.add("SUMMARY", row.title)
    if row.description:
        vevent.add("DESCRIPTION", row.description)
    if row.location:
        vevent.add("LOCATION", row.location)
    vevent.add("TRANSP", "OPAQUE" if row.busy else "TRANSPARENT")
    status = {"cancelled": "CANCELLED", "maybe": "TENTATIVE", "tentative": "TENTATIVE"}
    vevent.add("STATUS", status.get(row.status, "CONFIRMED"))
    organizer = row.organizer or {}
    if organizer.get("email"):
        params = {"CN": organizer["name"]} if organizer.get("name") else {}
        vevent.add("ORGANIZER", f"mailto:{organizer['email']}", parameters=params)
    for person in row.participants or []:
        if not person.get("email"):
            continue
        params = {"PARTSTAT": _PARTSTAT_BACK.get(person.get("status", ""), "NEEDS-ACTION")}
        if person.get("name"):
            params["CN"] = person["name"]
        vevent.add("ATTENDEE", f"mailto:{person['email']}", parameters=params)
    return vevent


def _add_lines(vevent: icalendar.Event, lines: list[str]) -> None:
    """Add stored recurrence content lines (RRULE/RDATE/EXDATE) to a VEVENT."""
    if not lines:
        return
    text = "BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n"
    holder = icalendar.Event.from_ical(text)
    for name, value in holder.property_items(recursive=False):
        if name not in ("BEGIN", "END"):
            vevent.add(name, value)


def serialize(master: Any, exceptions: list[Any]) -> str:
    """One iCalendar object for an event row and its live exception rows."""
    uid = master.ical_uid or f"{master.id}@slotwise"
    tz = zones.zone(master.timezone)
    all_day = (master.when or {}).get("object") in ("date", "datespan")
    overridden = {
        exdate_line(e.original_start_ts, all_day, tz)
        for e in exceptions
        if e.original_start_ts is not None
    }
    lines = [line for line in (master.recurrence or []) if line not in overridden]
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", "-//Slotwise//Slotwise//EN")
    main = _vevent(master, uid=uid)
    if master.is_recurring:
        _add_lines(main, lines)
    cal.add_component(main)
    for row in exceptions:
        if row.original_start_ts is None:
            continue
        rid = _recurrence_id(master, row.original_start_ts)
        cal.add_component(_vevent(row, uid=uid, recurrence_id=rid))
    cal.add_missing_timezones()
    document: bytes = cal.to_ical()  # icalendar leaves this untyped
    return document.decode()

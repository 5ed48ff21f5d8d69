"""The v2 availability faces of seed 003: `/calendars/availability` and its consecutive form.

Differences from v3 that the seed fixes: days count 0 = Monday; `free_busy` carries the busy
time of people without a grant (their only busy time); `buffer` widens busy time on both
sides; `round_robin` is null (collective), max-availability or max-fairness; no `round_to`.
Each email with a grant is read from its primary calendar unless `calendars` names others.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from slotwise import metrics
from slotwise.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    AvailabilityInputError,
    MeetingSpec,
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    compute_consecutive,
)
from slotwise.availability_api import request_fields as fields
from slotwise.availability_api import sources
from slotwise.availability_api.open_hours import weekly_hours
from slotwise.errors import InvalidRequest, field_error

ROUND_ROBIN = {None: COLLECTIVE, MAX_AVAILABILITY: MAX_AVAILABILITY, MAX_FAIRNESS: MAX_FAIRNESS}
MAX_ITINERARIES = 10_000


def _flat_emails(value: Any) -> list[str]:
    """The consecutive face nests emails one level deeper; flatten either shape."""
    out: list[str] = []
    for item in value if isinstance(value, list) else []:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _window_and_rules(body: dict[str, Any], *, duration_required: bool) -> tuple[int, int, Rules]:
    start = fields.required_int(body, "start_time", allow_string=True)
    end = fields.required_int(body, "end_time", allow_string=True)
    fields.window(start, end)
    duration = fields.integer(body, "duration_minutes", required=duration_required)
    if duration is not None and duration <= 0:
        raise field_error("duration_minutes", "must be positive")
    interval = fields.integer(body, "interval_minutes", required=False)
    if interval is not None and interval <= 0:
        raise field_error("interval_minutes", "must be positive")
    buffer = fields.integer(body, "buffer", required=False) or 0
    if buffer < 0:
        raise field_error("buffer", "must not be negative")
    method = body.get("round_robin")
    if method not in ROUND_ROBIN:
        raise field_error(
            "round_robin", f"expected null, max-availability or max-fairness; got {method!r}"
        )
    rules = Rules(
        duration=(duration or 0) * 60,
        interval=None if interval is None else interval * 60,
        method=ROUND_ROBIN[method],
        buffer_before=buffer * 60,
        buffer_after=buffer * 60,
    )
    return start, end, rules


def _open_hours(body: dict[str, Any], emails: list[str]) -> dict[str, list[WeeklyHours]]:
    known = {e.lower() for e in emails}
    out: dict[str, list[WeeklyHours]] = defaultdict(list)
    for i, raw in enumerate(fields.array("open_hours", body.get("open_hours"))):
        field = f"open_hours[{i}]"
        rule = weekly_hours(field, raw, sunday_first=False, default_timezone=None)
        for email in _flat_emails(fields.obj(field, raw).get("emails")):
            if not isinstance(email, str) or email.lower() not in known:
                raise field_error(f"{field}.emails", f"{email!r} is not one of the emails checked")
            out[email.lower()].append(rule)
    return out


def _free_busy(body: dict[str, Any]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, raw in enumerate(fields.array("free_busy", body.get("free_busy"))):
        field = f"free_busy[{i}]"
        entry = fields.obj(field, raw)
        email = entry.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise field_error(f"{field}.email", "expected an email address")
        out[email.lower()]  # an entry with no slots still says "this person is known: free"
        for j, slot in enumerate(fields.array(f"{field}.time_slots", entry.get("time_slots"))):
            slot_field = f"{field}.time_slots[{j}]"
            slot = fields.obj(slot_field, slot)
            s = fields.required_int(
                slot, "start_time", allow_string=True, field=f"{slot_field}.start_time"
            )
            e = fields.required_int(
                slot, "end_time", allow_string=True, field=f"{slot_field}.end_time"
            )
            if e < s:
                raise field_error(f"{slot_field}.end_time", "must not be before start_time")
            out[email.lower()].append((s, e))
    return out


def _calendar_requests(
    body: dict[str, Any], grants: dict[str, Any]
) -> list[sources.CalendarRequest]:
    """Calendars to read per email: `calendars` entries by account (grant) id, else primary."""
    by_grant_id = {g.id: email for email, g in grants.items()}
    named: dict[str, list[str]] = defaultdict(list)
    for i, raw in enumerate(fields.array("calendars", body.get("calendars"))):
        entry = fields.obj(f"calendars[{i}]", raw)
        account = entry.get("account_id")
        email = by_grant_id.get(account) if isinstance(account, str) else None
        if email is None and isinstance(account, str):
            email = account.lower() if account.lower() in grants else None
        if email is None:
            raise field_error(f"calendars[{i}].account_id", f"unknown account {account!r}")
        ids = fields.array(f"calendars[{i}].calendar_ids", entry.get("calendar_ids"))
        named[email].extend(str(c) for c in ids)
    return [
        sources.CalendarRequest(email, named.get(email) or None, "calendars") for email in grants
    ]


def _participants(
    session: Session, body: dict[str, Any], emails: list[str], start: int, end: int, method: str
) -> list[Participant]:
    free_busy = _free_busy(body)
    hours = _open_hours(body, emails)
    grants = sources.grants_for(session, emails)
    for i, email in enumerate(emails):
        if email.lower() not in grants and email.lower() not in free_busy:
            raise field_error(
                f"emails[{i}]",
                f"{email} has no grant here; give its busy time in free_busy",
            )
    calendars = sources.resolve_calendar_ids(session, grants, _calendar_requests(body, grants))
    tentative = fields.boolean("tentative_busy", body.get("tentative_busy"), True)
    busy = sources.busy_by_email(session, calendars, start, end, tentative_as_busy=tentative)
    booked = sources.last_booked_at(session, grants, None) if method != COLLECTIVE else {}
    return [
        Participant(
            email=email,
            busy=busy.get(email.lower(), []) + free_busy.get(email.lower(), []),
            open_hours=hours.get(email.lower(), []),
            last_booked_at=booked.get(email.lower()),
        )
        for email in emails
    ]


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "calendars_v2")
def availability(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    start, end, rules = _window_and_rules(body, duration_required=True)
    emails = fields.email_list("emails", body.get("emails"))
    participants = _participants(session, body, emails, start, end, rules.method)
    try:
        result = compute_availability(participants, start, end, rules)
    except AvailabilityInputError as exc:
        raise InvalidRequest(str(exc)) from None
    round_robin = rules.method != COLLECTIVE
    slots = []
    for s in result.slots:
        slot: dict[str, Any] = {
            "object": "time_slot",
            "status": "free",
            "start": s.start,
            "end": s.end,
            "start_time": s.start,
            "end_time": s.end,
        }
        if round_robin:
            slot["emails"] = list(s.emails)
        slots.append(slot)
    out: dict[str, Any] = {"object": "availability", "time_slots": slots}
    if round_robin:
        out["order"] = result.order
    return out


def _meetings(body: dict[str, Any], rules: Rules) -> list[MeetingSpec]:
    """`meetings` overrides `emails` and `duration_minutes` (seed 003); else the 2D `emails`."""
    raw_meetings = body.get("meetings")
    if raw_meetings is not None:
        meetings = []
        for i, raw in enumerate(fields.array("meetings", raw_meetings)):
            entry = fields.obj(f"meetings[{i}]", raw)
            duration = fields.required_int(
                entry, "duration_minutes", field=f"meetings[{i}].duration_minutes"
            )
            if duration <= 0:
                raise field_error(f"meetings[{i}].duration_minutes", "must be positive")
            emails = fields.array(f"meetings[{i}].emails", entry.get("emails"))
            meetings.append(MeetingSpec(tuple(str(e) for e in emails), duration * 60))
        return meetings
    if rules.duration <= 0:
        raise field_error("duration_minutes", "is required unless meetings give durations")
    groups = fields.array("emails", body.get("emails"))
    meetings = []
    for i, group in enumerate(groups):
        if not isinstance(group, list) or not group:
            raise field_error(f"emails[{i}]", "expected a non-empty list of emails (one meeting)")
        meetings.append(MeetingSpec(tuple(str(e) for e in group), rules.duration))
    return meetings


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "calendars_v2_consecutive")
def consecutive(session: Session, body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    start, end, rules = _window_and_rules(body, duration_required=False)
    meetings = _meetings(body, rules)
    if not meetings:
        raise field_error("meetings", "at least one meeting is required")
    everyone: list[str] = []
    for m in meetings:
        everyone.extend(e for e in m.emails if e.lower() not in {x.lower() for x in everyone})
    fields.email_list("emails", everyone)  # the same email checks and limits as availability
    participants = _participants(session, body, everyone, start, end, COLLECTIVE)
    try:
        itineraries = compute_consecutive(
            participants, meetings, start, end, rules, limit=MAX_ITINERARIES
        )
    except AvailabilityInputError as exc:
        raise field_error("meetings", str(exc)) from None
    return [
        [{"emails": list(s.emails), "start_time": s.start, "end_time": s.end} for s in itinerary]
        for itinerary in itineraries
    ]

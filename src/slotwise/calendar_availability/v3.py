"""`POST /v3/calendars/availability` (reference §5): the v3 request, the engine, the v3 answer.

Choices where the spec is silent (docs/availability.md has the full list):
- `availability_method` defaults to max-availability, as the v3 spec says for this endpoint.
- `interval_minutes` defaults to `duration_minutes`; `round_to` defaults to 15, measured in
  the wall clock of the first open-hours time zone given (participant, then default), else UTC.
- Calendars default to each participant's primary calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import metrics
from slotwise.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    AvailabilityInputError,
    Participant,
    Rules,
    SpecificHours,
    WeeklyHours,
    compute_availability,
)
from slotwise.calendar_availability import fields, sources
from slotwise.calendar_availability.hours import specific_hours, weekly_hours
from slotwise.errors import InvalidRequest, field_error

METHODS = {COLLECTIVE, MAX_AVAILABILITY, MAX_FAIRNESS}


@dataclass(frozen=True)
class _Entry:
    """One request participant, parsed; busy time is added once all are read."""

    field: str
    email: str
    calendar_ids: list[str]
    hours: list[WeeklyHours]
    specific: list[SpecificHours]
    only_specific: bool


def _open_hours(field: str, rules: list[Any]) -> list[WeeklyHours]:
    return [
        weekly_hours(f"{field}[{i}]", r, sunday_first=True, default_timezone="UTC")
        for i, r in enumerate(rules)
    ]


def _method(rules: dict[str, Any]) -> str:
    method = rules.get("availability_method") or MAX_AVAILABILITY
    if method not in METHODS:
        raise field_error(
            "availability_rules.availability_method",
            f"expected one of collective, max-availability, max-fairness; got {method!r}",
        )
    return str(method)


def _rules(body: dict[str, Any], rules: dict[str, Any], round_to_zone: str) -> Rules:
    duration = fields.required_int(body, "duration_minutes")
    fields.minutes_multiple_of_5("duration_minutes", duration)
    interval = fields.integer(body, "interval_minutes", required=False)
    fields.minutes_multiple_of_5("interval_minutes", interval)
    round_to = fields.integer(body, "round_to", required=False)
    if round_to is None:
        thirty = fields.boolean("round_to_30_minutes", body.get("round_to_30_minutes"), False)
        round_to = 30 if thirty else 15
    fields.minutes_multiple_of_5("round_to", round_to)
    if round_to > 60:
        raise field_error("round_to", "must be at most 60")
    buffer = fields.obj("availability_rules.buffer", rules.get("buffer"))
    before = fields.integer(buffer, "before", required=False, field="buffer.before") or 0
    after = fields.integer(buffer, "after", required=False, field="buffer.after") or 0
    fields.minutes_multiple_of_5("availability_rules.buffer.before", before, allow_zero=True)
    fields.minutes_multiple_of_5("availability_rules.buffer.after", after, allow_zero=True)
    return Rules(
        duration=duration * 60,
        interval=None if interval is None else interval * 60,
        round_to=round_to * 60,
        round_to_timezone=round_to_zone,
        method=_method(rules),
        buffer_before=before * 60,
        buffer_after=after * 60,
    )


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "calendars_v3")
def compute(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    start = fields.required_int(body, "start_time")
    end = fields.required_int(body, "end_time")
    fields.window(start, end)
    rules_body = fields.obj("availability_rules", body.get("availability_rules"))
    raw_participants = fields.array("participants", body.get("participants"))
    if not raw_participants:
        raise field_error("participants", "is required and must not be empty")
    if len(raw_participants) > fields.MAX_PARTICIPANTS:
        raise field_error("participants", f"at most {fields.MAX_PARTICIPANTS} are allowed")

    default_hours = _open_hours(
        "availability_rules.default_open_hours",
        fields.array("availability_rules.default_open_hours", rules_body.get("default_open_hours")),
    )
    specs: list[_Entry] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_participants):
        field = f"participants[{i}]"
        entry = fields.obj(field, raw)
        email = entry.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise field_error(f"{field}.email", "expected an email address")
        if email.lower() in seen:
            raise field_error(f"{field}.email", f"{email} is listed twice")
        seen.add(email.lower())
        own = entry.get("open_hours")
        hours = _open_hours(f"{field}.open_hours", fields.array(f"{field}.open_hours", own))
        hours = hours if own else default_hours
        zone = hours[0].timezone if hours else None
        specific = [
            specific_hours(f"{field}.specific_time_availability[{j}]", s, default_timezone=zone)
            for j, s in enumerate(
                fields.array(
                    f"{field}.specific_time_availability", entry.get("specific_time_availability")
                )
            )
        ]
        only_specific = fields.boolean(
            f"{field}.only_specific_time_availability",
            entry.get("only_specific_time_availability"),
            False,
        )
        calendar_ids = fields.array(f"{field}.calendar_ids", entry.get("calendar_ids"))
        specs.append(_Entry(field, email, calendar_ids, hours, specific, only_specific))

    round_to_zone = next((s.hours[0].timezone for s in specs if s.hours), "UTC")
    rules = _rules(body, rules_body, round_to_zone)
    tentative = fields.boolean(
        "availability_rules.tentative_as_busy", rules_body.get("tentative_as_busy"), True
    )

    grants = sources.grants_for(session, [s.email for s in specs])
    for s in specs:
        if s.email.lower() not in grants:
            raise field_error(f"{s.field}.email", f"{s.email} has no grant in this application")
    calendars = sources.resolve_calendar_ids(
        session,
        grants,
        [
            sources.CalendarRequest(s.email, s.calendar_ids, f"{s.field}.calendar_ids")
            for s in specs
        ],
    )
    busy = sources.busy_by_email(session, calendars, start, end, tentative_as_busy=tentative)
    group = rules_body.get("round_robin_group_id") or rules_body.get("round_robin_event_id")
    booked = (
        sources.last_booked_at(session, grants, str(group))
        if group and rules.method != COLLECTIVE
        else {}
    )
    participants = [
        Participant(
            email=s.email,
            busy=busy.get(s.email.lower(), []),
            open_hours=s.hours,
            specific=s.specific,
            only_specific=s.only_specific,
            last_booked_at=booked.get(s.email.lower()),
        )
        for s in specs
    ]
    try:
        result = compute_availability(participants, start, end, rules)
    except AvailabilityInputError as exc:
        raise InvalidRequest(str(exc)) from None
    return {
        "time_slots": [
            {"emails": list(s.emails), "start_time": s.start, "end_time": s.end}
            for s in result.slots
        ],
        "order": result.order,
    }

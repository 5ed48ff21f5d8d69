"""`POST /v3/calendars/availability` (reference §5): the parsed request, the engine, the v3 answer.

Choices where the spec is silent (docs/availability.md has the full list):
- `availability_method` defaults to max-availability, as the v3 spec says for this endpoint.
- `interval_minutes` defaults to `duration_minutes`; `round_to` defaults to 15, measured in
  the wall clock of the first open-hours time zone given (participant, then default), else UTC.
- Calendars default to each participant's primary calendar.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise import metrics
from slotwise.availability import (
    COLLECTIVE,
    AvailabilityInputError,
    AvailabilityResult,
    Participant,
    compute_availability,
)
from slotwise.availability_api import sources
from slotwise.availability_api.schemas import CalendarAvailabilityRequest
from slotwise.errors import InvalidRequest, field_error


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "calendars_v3")
def compute(session: Session, request: CalendarAvailabilityRequest) -> AvailabilityResult:
    grants, calendars = calendars_of(session, request)
    tentative = request.availability_rules.tentative_as_busy
    busy = sources.busy_by_email(
        session,
        grants,
        calendars,
        request.start_time,
        request.end_time,
        tentative_as_busy=tentative,
    )
    participants = participants_of(session, request, grants, busy)
    try:
        result = compute_availability(
            participants, request.start_time, request.end_time, request.rules()
        )
    except AvailabilityInputError as exc:
        raise InvalidRequest(str(exc)) from None
    return result


def calendars_of(
    session: Session, request: CalendarAvailabilityRequest
) -> tuple[dict[str, sources.Account], dict[str, list[str]]]:
    """Each participant's grant and the calendars to read (both keyed by lower-cased email)."""
    specs = request.participants
    grants = sources.grants_for(session, [s.email for s in specs])
    for s in specs:
        if s.email.lower() not in grants:
            raise field_error(f"{s.field}.email", f"{s.email} has no grant in this application")
    calendars = sources.resolve_calendar_ids(
        grants,
        [
            sources.CalendarRequest(s.email, s.calendar_ids, f"{s.field}.calendar_ids")
            for s in specs
        ],
    )
    return grants, calendars


def participants_of(
    session: Session,
    request: CalendarAvailabilityRequest,
    grants: dict[str, sources.Account],
    busy: dict[str, list[tuple[int, int]]],
) -> list[Participant]:
    """The engine's participants: open hours as asked, busy time as read, round-robin history."""
    group = request.availability_rules.round_robin_group_id
    booked = (
        sources.last_booked_at(session, grants, group)
        if group and request.rules().method != COLLECTIVE
        else {}
    )
    return [
        Participant(
            email=s.email,
            busy=busy.get(s.email.lower(), []),
            open_hours=s.open_hours,
            specific=s.specific,
            only_specific=s.only_specific,
            last_booked_at=booked.get(s.email.lower()),
        )
        for s in request.participants
    ]

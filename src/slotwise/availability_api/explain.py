"""`POST /v3/calendars/availability/explain`: why each asked time is or is not offered.

The same inputs as `POST /v3/calendars/availability` (the v3 face's `calendars_of` and
`participants_of`), busy time read with the events behind it, and the engine's explanation
(`availability.explain`), which lists the same window first and explains against it. The
caller holds the API key, which reads every grant's events anyway, so busy reasons name the
event, its calendar and its span for every participant.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise.availability import AvailabilityInputError
from slotwise.availability.explain import Bounds, Explanation, explain_times
from slotwise.availability_api import sources
from slotwise.availability_api.schemas import CalendarExplainRequest
from slotwise.availability_api.v3 import calendars_of, participants_of
from slotwise.errors import InvalidRequest


def explain(session: Session, request: CalendarExplainRequest) -> list[Explanation]:
    start, end = request.start_time, request.end_time
    grants, calendars = calendars_of(session, request)
    events = sources.busy_events_by_email(
        session,
        grants,
        calendars,
        start,
        end,
        tentative_as_busy=request.availability_rules.tentative_as_busy,
    )
    busy = {email: [(e.start, e.end) for e in found] for email, found in events.items()}
    participants = participants_of(session, request, grants, busy)
    by_email = {p.email: events.get(p.email.lower(), []) for p in participants}
    try:
        return explain_times(
            participants, Bounds(start, end), request.rules(), request.times, events=by_email
        )
    except AvailabilityInputError as exc:
        raise InvalidRequest(str(exc)) from None

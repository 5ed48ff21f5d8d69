"""The v2 availability faces of seed 003: `/calendars/availability` and its consecutive form.

Differences from v3 that the seed fixes: days count 0 = Monday; `free_busy` carries the busy
time of people without a grant (their only busy time); `buffer` widens busy time on both
sides; `round_robin` is null (collective), max-availability or max-fairness; no `round_to`.
Each email with a grant is read from its primary calendar unless `calendars` names others.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from slotwise import metrics
from slotwise.availability import (
    COLLECTIVE,
    AvailabilityInputError,
    AvailabilityResult,
    MeetingSpec,
    Participant,
    Slot,
    WeeklyHours,
    compute_availability,
    compute_consecutive,
)
from slotwise.availability_api import sources
from slotwise.availability_api.schemas import (
    AvailabilityRequestV2,
    ConsecutiveRequestV2,
    RequestV2,
)
from slotwise.errors import InvalidRequest, field_error

MAX_ITINERARIES = 10_000


def _calendar_requests(
    request: RequestV2, grants: dict[str, sources.Account]
) -> list[sources.CalendarRequest]:
    """Calendars to read per email: `calendars` entries by account (grant) id, else primary."""
    by_grant_id = {g.grant_id: email for email, g in grants.items()}
    named: dict[str, list[str]] = defaultdict(list)
    for entry in request.calendars:
        account = entry.account_id
        email = by_grant_id.get(account) if isinstance(account, str) else None
        if email is None and isinstance(account, str):
            email = account.lower() if account.lower() in grants else None
        if email is None:
            raise field_error(f"{entry.field}.account_id", f"unknown account {account!r}")
        named[email].extend(entry.calendar_ids)
    return [
        sources.CalendarRequest(email, named.get(email) or None, "calendars") for email in grants
    ]


def _participants(
    session: Session,
    request: RequestV2,
    emails: list[str],
    hours: dict[str, list[WeeklyHours]],
    *,
    round_robin: bool,
) -> list[Participant]:
    start, end, free_busy = request.start_time, request.end_time, request.free_busy
    grants = sources.grants_for(session, emails)
    for i, email in enumerate(emails):
        if email.lower() not in grants and email.lower() not in free_busy:
            raise field_error(
                f"emails[{i}]",
                f"{email} has no grant here; give its busy time in free_busy",
            )
    calendars = sources.resolve_calendar_ids(grants, _calendar_requests(request, grants))
    tentative = request.tentative_busy
    busy = sources.busy_by_email(
        session, grants, calendars, start, end, tentative_as_busy=tentative
    )
    booked = sources.last_booked_at(session, grants, None) if round_robin else {}
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
def availability(session: Session, request: AvailabilityRequestV2) -> AvailabilityResult:
    start, end, rules = request.start_time, request.end_time, request.rules()
    participants = _participants(
        session, request, request.emails, request.hours, round_robin=rules.method != COLLECTIVE
    )
    try:
        result = compute_availability(participants, start, end, rules)
    except AvailabilityInputError as exc:
        raise InvalidRequest(str(exc)) from None
    return result


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "calendars_v2_consecutive")
def consecutive(session: Session, request: ConsecutiveRequestV2) -> list[list[Slot]]:
    start, end, rules = request.start_time, request.end_time, request.rules()
    meetings = [MeetingSpec(m.emails, m.duration) for m in request.meetings or []]
    # No round-robin history is read for consecutive meetings.
    participants = _participants(
        session, request, request.everyone, request.hours, round_robin=False
    )
    try:
        itineraries = compute_consecutive(
            participants, meetings, start, end, rules, limit=MAX_ITINERARIES
        )
    except AvailabilityInputError as exc:
        raise field_error("meetings", str(exc)) from None
    return itineraries

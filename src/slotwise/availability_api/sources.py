"""Reading what the engine needs from the database: busy time and round-robin history.

Whatever the number of participants, this is a fixed number of queries: one for grants, one
for their calendars, and the busy reader's (at most two), plus one for round-robin history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise.availability.explain import BusyEvent
from slotwise.calendars import repository as calendar_repository
from slotwise.db.models import Grant
from slotwise.errors import field_error
from slotwise.events import repository as events_repository
from slotwise.events.busy import read_busy, read_busy_events
from slotwise.grants.repository import grants_by_email
from slotwise.providers.sync import refresh_calendars


@dataclass(frozen=True)
class CalendarRequest:
    """Whose busy time to read: an email, its calendar ids (None = primary), and the field."""

    email: str
    calendar_ids: Sequence[str] | None
    field: str


def grants_for(session: Session, emails: Sequence[str]) -> dict[str, Grant]:
    """Grants keyed by the lower-cased email."""
    return grants_by_email(session, list(emails))


def resolve_calendar_ids(
    session: Session, grants: dict[str, Grant], requests: Sequence[CalendarRequest]
) -> dict[str, list[str]]:
    """The calendar ids to read per email (lower-cased); "primary" names the primary calendar."""
    grant_ids = {g.id for g in grants.values()}
    owned: dict[str, set[str]] = defaultdict(set)
    primary: dict[str, str] = {}
    for cal_id, grant_id, is_primary in calendar_repository.calendar_rows_of(session, grant_ids):
        owned[grant_id].add(cal_id)
        if is_primary:
            primary[grant_id] = cal_id
    out: dict[str, list[str]] = {}
    for req in requests:
        grant = grants.get(req.email.lower())
        if grant is None:
            continue
        wanted = list(req.calendar_ids) if req.calendar_ids else ["primary"]
        ids: list[str] = []
        for i, cal_id in enumerate(wanted):
            if cal_id == "primary":
                if grant.id in primary:
                    ids.append(primary[grant.id])
            elif cal_id in owned[grant.id]:
                ids.append(cal_id)
            else:
                raise field_error(
                    f"{req.field}[{i}]", f"calendar {cal_id!r} does not belong to {req.email}"
                )
        out[req.email.lower()] = ids
    return out


def busy_by_email(
    session: Session,
    calendars: dict[str, list[str]],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool = True,
) -> dict[str, list[tuple[int, int]]]:
    """Busy intervals per email (lower-cased) over [start, end), read in one pass."""
    all_ids = sorted({cal for ids in calendars.values() for cal in ids})
    refresh_calendars(session, all_ids)  # stale remote (CalDAV, feed) mirrors first
    per_calendar = read_busy(session, all_ids, start, end, tentative_as_busy=tentative_as_busy)
    return {
        email: [span for cal in ids for span in per_calendar.get(cal, ())]
        for email, ids in calendars.items()
    }


def last_booked_at(
    session: Session, grants: dict[str, Grant], group_id: str | None
) -> dict[str, int]:
    """When each person was last booked into round-robin group `group_id` (metadata key5).

    With no group (the v2 face has none), any round-robin booking counts.
    """
    by_grant = {g.id: email for email, g in grants.items()}
    keys = None if group_id is None else [group_id]
    booked = events_repository.last_booked(session, list(by_grant), keys)
    return {by_grant[grant_id]: at for grant_id, at in booked.items()}


def busy_events_by_email(
    session: Session,
    calendars: dict[str, list[str]],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool = True,
) -> dict[str, list[BusyEvent]]:
    """`busy_by_email` with the event and calendar behind each span, for explanations."""
    all_ids = sorted({cal for ids in calendars.values() for cal in ids})
    refresh_calendars(session, all_ids)
    per_calendar = read_busy_events(
        session, all_ids, start, end, tentative_as_busy=tentative_as_busy
    )
    return {
        email: [
            BusyEvent(s, e, event_id, cal) for cal in ids for s, e, event_id in per_calendar[cal]
        ]
        for email, ids in calendars.items()
    }

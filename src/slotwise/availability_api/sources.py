"""Reading what the engine needs from the database: busy time and round-robin history.

Whatever the number of participants, this is a fixed number of queries: one for the grants,
one for their calendars, one for stale remote mirrors (only when a grant is a remote calendar's),
the busy reader's (at most two), plus one for round-robin history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise.availability.explain import BusyEvent
from slotwise.errors import field_error
from slotwise.events import repository as events_repository
from slotwise.events.busy import read_busy, read_busy_events
from slotwise.grants.repository import grant_calendar_rows_by_email
from slotwise.providers import REMOTE_KINDS
from slotwise.providers.sync import refresh_calendars


@dataclass
class Account:
    """A participant's grant as availability reads it: its id, whether its calendars are
    mirrored from a remote server, the calendars it owns and which is primary."""

    grant_id: str
    remote: bool
    calendars: set[str]
    primary: str | None = None


@dataclass(frozen=True)
class CalendarRequest:
    """Whose busy time to read: an email, its calendar ids (None = primary), and the field."""

    email: str
    calendar_ids: Sequence[str] | None
    field: str


def grants_for(session: Session, emails: Sequence[str]) -> dict[str, Account]:
    """The grants of these emails with their calendars, keyed by the lower-cased email."""
    accounts: dict[str, Account] = {}
    for email, grant_id, provider, cal_id, is_primary in grant_calendar_rows_by_email(
        session, list(emails)
    ):
        account = accounts.get(email.lower())
        if account is None:
            account = accounts[email.lower()] = Account(grant_id, provider in REMOTE_KINDS, set())
        # Two grants may differ only in the case of their emails: one (the first) answers.
        if cal_id is not None and account.grant_id == grant_id:
            account.calendars.add(cal_id)
            if is_primary:
                account.primary = cal_id
    return accounts


def resolve_calendar_ids(
    grants: dict[str, Account], requests: Sequence[CalendarRequest]
) -> dict[str, list[str]]:
    """The calendar ids to read per email (lower-cased); "primary" names the primary calendar."""
    out: dict[str, list[str]] = {}
    for req in requests:
        grant = grants.get(req.email.lower())
        if grant is None:
            continue
        wanted = list(req.calendar_ids) if req.calendar_ids else ["primary"]
        ids: list[str] = []
        for i, cal_id in enumerate(wanted):
            if cal_id == "primary":
                if grant.primary is not None:
                    ids.append(grant.primary)
            elif cal_id in grant.calendars:
                ids.append(cal_id)
            else:
                raise field_error(
                    f"{req.field}[{i}]", f"calendar {cal_id!r} does not belong to {req.email}"
                )
        out[req.email.lower()] = ids
    return out


def _refresh_remote(
    session: Session, grants: dict[str, Account], calendars: dict[str, list[str]]
) -> None:
    """Stale remote (CalDAV, feed) mirrors first; a grant of the embedded provider has none,
    so a request naming only those asks nothing (as `scheduling.offer` does)."""
    remote = sorted({c for email, ids in calendars.items() if grants[email].remote for c in ids})
    refresh_calendars(session, remote)


def busy_by_email(
    session: Session,
    grants: dict[str, Account],
    calendars: dict[str, list[str]],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool = True,
) -> dict[str, list[tuple[int, int]]]:
    """Busy intervals per email (lower-cased) over [start, end), read in one pass, in no
    particular order (the engine sorts them)."""
    all_ids = sorted({cal for ids in calendars.values() for cal in ids})
    _refresh_remote(session, grants, calendars)
    per_calendar = read_busy(
        session, all_ids, start, end, tentative_as_busy=tentative_as_busy, in_order=False
    )
    # One calendar (the usual primary): its list as read, not a copy of thousands of spans.
    return {
        email: per_calendar[ids[0]]
        if len(ids) == 1
        else [span for cal in ids for span in per_calendar.get(cal, ())]
        for email, ids in calendars.items()
    }


def last_booked_at(
    session: Session, grants: dict[str, Account], group_id: str | None
) -> dict[str, int]:
    """When each person was last booked into round-robin group `group_id` (metadata key5).

    With no group (the v2 face has none), any round-robin booking counts.
    """
    by_grant = {g.grant_id: email for email, g in grants.items()}
    keys = None if group_id is None else [group_id]
    booked = events_repository.last_booked(session, list(by_grant), keys)
    return {by_grant[grant_id]: at for grant_id, at in booked.items()}


def busy_events_by_email(
    session: Session,
    grants: dict[str, Account],
    calendars: dict[str, list[str]],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool = True,
) -> dict[str, list[BusyEvent]]:
    """`busy_by_email` with the event and calendar behind each span, for explanations."""
    all_ids = sorted({cal for ids in calendars.values() for cal in ids})
    _refresh_remote(session, grants, calendars)
    per_calendar = read_busy_events(
        session, all_ids, start, end, tentative_as_busy=tentative_as_busy
    )
    return {
        email: [
            BusyEvent(s, e, event_id, cal) for cal in ids for s, e, event_id in per_calendar[cal]
        ]
        for email, ids in calendars.items()
    }

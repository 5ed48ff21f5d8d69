"""Free/busy for email addresses, from the busy time of the grants that own them.

v3 reads every calendar the grant owns; v2 (seed 003) reads the primary calendar, or the
calendars a request names. Both go through `read_busy` once for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise.calendars import repository
from slotwise.db.models import Grant
from slotwise.events.busy import read_busy
from slotwise.grants.repository import grants_by_email
from slotwise.providers.sync import refresh_calendars


@dataclass(frozen=True)
class EmailBusy:
    email: str
    grant: Grant | None
    spans: list[tuple[int, int]]


def busy_by_email(
    session: Session,
    emails: Sequence[str],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool = True,
    primary_only: bool = False,
) -> list[EmailBusy]:
    """One entry per email, in request order; `grant` is None when no grant owns the email."""
    grants = grants_by_email(session, list(emails))
    grant_ids = [g.id for g in grants.values()]
    if primary_only:
        primaries = repository.primary_calendar_ids(session, grant_ids)
        owned = {gid: [primaries[gid]] if gid in primaries else [] for gid in grant_ids}
    else:
        owned = repository.calendar_ids_of(session, grant_ids)
    calendar_ids = [cid for ids in owned.values() for cid in ids]
    refresh_calendars(session, calendar_ids)  # stale remote (CalDAV, feed) mirrors first
    busy = read_busy(session, calendar_ids, start, end, tentative_as_busy=tentative_as_busy)
    out = []
    for email in emails:
        grant = grants.get(email.strip().lower())
        spans: list[tuple[int, int]] = []
        if grant is not None:
            for cid in owned.get(grant.id, []):
                spans.extend(busy.get(cid, []))
            spans.sort()
        out.append(EmailBusy(email, grant, spans))
    return out

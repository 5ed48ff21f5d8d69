"""Queries of holds: the slots guests keep while they fill in the booking form."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slotwise.db.models import Hold, HoldHost


@dataclass(frozen=True)
class Held:
    """A live hold on one of its hosts."""

    hold_id: str
    grant_id: str
    configuration_id: str
    start: int
    end: int


def find_hold(session: Session, hold_id: str) -> Hold | None:
    return session.get(Hold, hold_id)


def find_guest_hold(session: Session, configuration_id: str, guest_key: str) -> Hold | None:
    """The guest's hold in the configuration, live or expired (at most one: a unique key)."""
    return session.scalar(
        select(Hold).where(Hold.configuration_id == configuration_id, Hold.guest_key == guest_key)
    )


def hold_grant_ids(session: Session, hold_id: str) -> list[str]:
    query = select(HoldHost.grant_id).where(HoldHost.hold_id == hold_id)
    return sorted(session.scalars(query))


def live_holds_of_client(session: Session, configuration_id: str, client_key: str, now: int) -> int:
    query = select(func.count()).where(
        Hold.configuration_id == configuration_id,
        Hold.client_key == client_key,
        Hold.expires_at > now,
    )
    return int(session.scalar(query) or 0)


def delete_expired_holds(session: Session, configuration_id: str, now: int) -> None:
    """Expired holds are inert (every reader compares `expires_at`); this only tidies up."""
    session.execute(
        delete(Hold).where(Hold.configuration_id == configuration_id, Hold.expires_at <= now)
    )


def add_hold(session: Session, hold: Hold, grant_ids: Sequence[str]) -> bool:
    """Insert the hold and its hosts; False if the guest already holds a time there (the
    unique key: two holds of one guest locked different hosts and raced)."""
    try:
        with session.begin_nested():
            session.add(hold)
            session.flush()
    except IntegrityError:
        return False
    for grant_id in sorted(set(grant_ids)):
        session.add(HoldHost(hold_id=hold.id, grant_id=grant_id))
    session.flush()
    return True


def delete_hold(session: Session, hold_id: str) -> None:
    """By statement, not by object: two requests ending the same hold both succeed."""
    session.execute(delete(Hold).where(Hold.id == hold_id))


# Built once: every offer and every booking re-check runs it.
_HELD = (
    select(HoldHost.hold_id, HoldHost.grant_id, Hold.configuration_id, Hold.start_ts, Hold.end_ts)
    .join(Hold, Hold.id == HoldHost.hold_id)
    .where(
        HoldHost.grant_id.in_(bindparam("ids", expanding=True)),
        Hold.expires_at > bindparam("now"),
        Hold.start_ts < bindparam("hi"),
        Hold.end_ts > bindparam("lo"),
    )
)


def live_holds_of_hosts(
    session: Session,
    grant_ids: Sequence[str],
    lo: int,
    hi: int,
    now: int,
    *,
    exclude_hold_ids: Collection[str] = (),
) -> list[Held]:
    """Live holds on any of these grants overlapping [lo, hi)."""
    if not grant_ids:
        return []
    params = {"ids": sorted(set(grant_ids)), "now": now, "lo": lo, "hi": hi}
    found = [Held(*row) for row in session.execute(_HELD, params)]
    return [h for h in found if h.hold_id not in exclude_hold_ids]

"""Holds: a guest keeps a slot for a few minutes while filling in the booking form.

Taking a hold follows the booking's path (`bookings.service`): the hosts are locked in their
fixed order and the slot re-checked by the function that lists slots, so of many guests
racing for one slot exactly one holds it, and a held slot is neither offered to nor bookable
by anyone else (`scheduling.blocks`) until it is booked through the hold, released, or
expires (`expires_at`: a comparison every reader makes, no worker needed).

A guest holds at most one slot per configuration. The guest is their email when the hold
names one, else the hold itself: a new hold passing an earlier `hold_id` and `hold_secret`
moves it. One client address keeps at most `Settings.holds_per_address` live holds per
configuration, so a hostile client cannot hold a page empty. Never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings.hold_claims import own_hold
from slotwise.bookings.schemas import NewHold, ReleaseHold
from slotwise.bookings.service import check_duration, first_in_order, pick_hosts, take_slot
from slotwise.capabilities import secret_hash
from slotwise.db.models import Configuration, Hold
from slotwise.errors import Conflict
from slotwise.ids import new_salt, new_uuid
from slotwise.scheduling import holds_repository
from slotwise.scheduling.access import Access

ALREADY_HOLDING = (
    "email: this guest already holds a time in this configuration"
    " (send its hold_id and hold_secret to move it)"
)


@dataclass(frozen=True)
class TakenHold:
    hold: Hold
    secret: str  # answered once, to the taker only


def client_key(address: str) -> str:
    return hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()


def take_hold(
    session: Session,
    access: Access,
    req: NewHold,
    *,
    address: str,
    hold_seconds: int,
    holds_per_address: int,
) -> TakenHold:
    config = access.require_configuration()
    start, end = req.start_time, req.end_time
    check_duration(config, start, end)
    now = clock.now()
    previous = _previous_hold(session, config, req)
    candidates, organizer = pick_hosts(session, config, req.participants)
    moved = (previous.id,) if previous is not None else ()
    free, order = take_slot(session, config, candidates, start, end, now, exclude_hold_ids=moved)
    # Under the hosts' locks from here: the per-guest and per-address counts are exact.
    holds_repository.delete_expired_holds(session, config.id, now)
    if previous is not None:
        holds_repository.delete_hold(session, previous.id)
    guest = req.email.lower() if req.email else None
    if guest is not None and holds_repository.find_guest_hold(session, config.id, guest):
        raise Conflict(ALREADY_HOLDING)
    key = client_key(address)
    if holds_repository.live_holds_of_client(session, config.id, key, now) >= holds_per_address:
        raise Conflict(
            f"hold_id: at most {holds_per_address} holds per client in this configuration"
        )
    held = [first_in_order(free, order)] if organizer is None else candidates
    secret = new_salt()
    hold = Hold(
        id=new_uuid(),
        configuration_id=config.id,
        guest_key=guest or "secret:" + secret_hash(secret),
        client_key=key,
        secret_hash=secret_hash(secret),
        start_ts=start,
        end_ts=end,
        expires_at=now + hold_seconds,
        created_at=now,
    )
    if not holds_repository.add_hold(session, hold, [h.grant.id for h in held]):
        raise Conflict(ALREADY_HOLDING)
    return TakenHold(hold, secret)


def _previous_hold(session: Session, config: Configuration, req: NewHold) -> Hold | None:
    """The guest's earlier hold that this one moves (None: none named, or it is gone)."""
    if req.hold_id is None or holds_repository.find_hold(session, req.hold_id) is None:
        return None
    return own_hold(session, config, req.hold_id, req.hold_secret)


def release_hold(session: Session, access: Access, hold_id: str, req: ReleaseHold) -> None:
    """DELETE: the taker gives the slot back before it expires."""
    config = access.require_configuration()
    hold = own_hold(session, config, hold_id, req.hold_secret)
    holds_repository.delete_hold(session, hold.id)


def hold_to_dict(taken: TakenHold) -> dict[str, object]:
    hold = taken.hold
    return {
        "hold_id": hold.id,
        "hold_secret": taken.secret,
        "configuration_id": hold.configuration_id,
        "start_time": hold.start_ts,
        "end_time": hold.end_ts,
        "expires_at": hold.expires_at,
        "expires_in": hold.expires_at - hold.created_at,  # seconds, for a countdown
        "object": "scheduling_hold",
    }

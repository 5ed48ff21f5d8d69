"""What keeps a host from a slot besides their calendars: booking limits and holds.

`host_blocks` is the one reading of both, for the scheduler's offer (`scheduling.offer`,
which the booking re-check also runs) and for explanations: per host email, busy-like spans
(`limits.Blocked`) that the engine adds to the host's busy time, buffers included.

A live hold blocks its hosts in every configuration (a held slot must stay bookable by its
guest, whichever configuration another booking comes through). In a configuration that seats
several guests per slot (`scheduling.seats`) its own holds take seats instead: they are
returned apart, as `seats`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from slotwise.documents import ConfigurationDocument
from slotwise.scheduling import holds_repository
from slotwise.scheduling.holds_repository import Held
from slotwise.scheduling.limits import HELD, Blocked, limit_blocks
from slotwise.scheduling.service import Host


@dataclass(frozen=True)
class HostBlocks:
    blocks: dict[str, list[Blocked]] = field(default_factory=dict)  # per host email
    seats: list[Held] = field(default_factory=list)  # this configuration's holds, as seats


def host_blocks(
    session: Session,
    configuration_id: str,
    document: ConfigurationDocument,
    hosts: Sequence[Host],
    lo: int,
    hi: int,
    *,
    now: int,
    buffer_before: int = 0,
    buffer_after: int = 0,
    holds_as_seats: bool = False,
    with_holds: bool = True,
    exclude_event_ids: Collection[str] = (),
    exclude_hold_ids: Collection[str] = (),
) -> HostBlocks:
    """Limits reached and holds taken (unless not `with_holds`) that block `hosts` for slots
    starting in [lo, hi)."""
    out = limit_blocks(
        session,
        configuration_id,
        document,
        hosts,
        lo,
        hi,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        exclude_event_ids=exclude_event_ids,
    )
    if not with_holds:
        return HostBlocks(out, [])
    duration = document.availability.duration_minutes * 60
    held = holds_repository.live_holds_of_hosts(
        session,
        [h.grant.id for h in hosts],
        lo - buffer_after,
        hi + duration + buffer_before,
        now,
        exclude_hold_ids=exclude_hold_ids,
    )
    seats = [h for h in held if holds_as_seats and h.configuration_id == configuration_id]
    email_of = {h.grant.id: h.email for h in hosts}
    for h in held:
        if h not in seats:
            block = Blocked(h.start, h.end, HELD, h.hold_id)
            out.setdefault(email_of[h.grant_id], []).append(block)
    return HostBlocks(out, seats)

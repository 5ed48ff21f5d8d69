"""Group bookings: a configuration whose slots seat several guests (`scheduler.capacity`).

A v2 page's `config.event.capacity` maps here; v3 configurations have no such field and keep
one booking per slot. Each seat is its own booking with its own event in the host's calendar,
so cancelling, rescheduling and following a calendar change work per guest as they do for
any booking.

The engine knows nothing of seats: `compute_offer` leaves the events of the configuration's
live bookings out of the busy time and then calls `fit` on the engine's slots:

* a slot exactly matching held seats is still offered while fewer than `capacity` are taken,
  and only with the hosts of those seats (the next guest joins the same meeting, whoever the
  rotation would otherwise pick), so one slot never takes more than `capacity` bookings;
* any other slot overlapping a held seat (its buffers included) is not free for the seat's
  hosts, exactly as if the seat's event were busy time.

With strict rotation (a v2 page's maximize fairness) the engine offers the next host's slots
only; `rejoin` adds back the part-filled slots of the other hosts. The host of a group meeting
is already committed to it, so a guest expects its free seats to stay offered; only a new
meeting follows the rotation.

Bookings are re-checked under the hosts' locks through the same `compute_offer`, so under
contention exactly `capacity` guests get a seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slotwise import availability as engine
from slotwise.documents import ConfigurationDocument

UNLIMITED = -1


@dataclass(frozen=True)
class Seat:
    """One live booking of the configuration: its span, event and booked hosts' emails."""

    start: int
    end: int
    event_id: str | None
    hosts: tuple[str, ...]


def capacity_of(document: ConfigurationDocument) -> int | None:
    """Seats per slot; None when unlimited. Absent (every v3 configuration): one."""
    value = document.scheduler.capacity
    if value is None:
        return 1
    return None if value == UNLIMITED else value


def fit(
    result: engine.AvailabilityResult,
    seats: Sequence[Seat],
    capacity: int | None,
    *,
    buffer_before: int,
    buffer_after: int,
    collective: bool,
) -> engine.AvailabilityResult:
    """The engine's slots with the held seats applied (see the module docstring)."""
    if not seats:
        return result
    out = []
    for slot in result.slots:
        same = [s for s in seats if s.start == slot.start and s.end == slot.end]
        if capacity is not None and len(same) >= capacity:
            continue
        blocked = {
            e.lower()
            for s in seats
            if s not in same
            and s.start < slot.end + buffer_after
            and slot.start - buffer_before < s.end
            for e in s.hosts
        }
        emails = [e for e in slot.emails if e.lower() not in blocked]
        if same:
            joined = {e.lower() for e in same[0].hosts}
            emails = [e for e in emails if e.lower() in joined]
        if not emails or (collective and len(emails) < len(slot.emails)):
            continue
        out.append(engine.Slot(slot.start, slot.end, tuple(emails)))
    return engine.AvailabilityResult(out, result.order)


def rejoin(
    strict: engine.AvailabilityResult,
    everyone: engine.AvailabilityResult,
    seats: Sequence[Seat],
) -> engine.AvailabilityResult:
    """`strict` (fitted) plus the slots of `everyone` (fitted: max-availability over every
    host) that are seats left in a held group meeting, in start order."""
    held = {(s.start, s.end) for s in seats}
    have = {(slot.start, slot.end) for slot in strict.slots}
    joined = [
        slot
        for slot in everyone.slots
        if (slot.start, slot.end) in held and (slot.start, slot.end) not in have
    ]
    if not joined:
        return strict
    slots = sorted([*strict.slots, *joined], key=lambda slot: (slot.start, slot.end))
    return engine.AvailabilityResult(slots, strict.order)

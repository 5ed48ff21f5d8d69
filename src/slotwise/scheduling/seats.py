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

Explanations (`explain_seated`) are the engine's (`availability.explain`) with the same two
steps applied to each asked time: a full meeting is `full` for everyone, a seat's hosts are
busy with it (or within its buffers) for any other time, and the hosts who do not hold the
meeting at this time are told the guest joins `another_hosts_meeting`. With strict rotation a
seat left in another host's meeting is explained as offered, as `rejoin` lists it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from slotwise import availability as engine
from slotwise.availability.explain import (
    BUSY,
    FULL,
    HELD,
    OTHER_HOSTS_MEETING,
    SHARED,
    Block,
    Bounds,
    BusyEvent,
    Explanation,
    ParticipantExplanation,
    Reason,
    buffer_reason,
    explain_times,
    ordered_reasons,
    refused,
)
from slotwise.documents import ConfigurationDocument

UNLIMITED = -1


@dataclass(frozen=True)
class Seat:
    """One live booking (or hold, with no event) of the configuration: its span, event and
    booked hosts' emails."""

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
            if s not in same and _blocks(s, slot.start, slot.end, buffer_before, buffer_after)
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


def _blocks(seat: Seat, start: int, end: int, buffer_before: int, buffer_after: int) -> bool:
    """Whether `seat` keeps its hosts from [start, end) as busy time would: widened by the
    buffers at its start and its end (`availability.intervals.subtract_busy`)."""
    return seat.start - buffer_before < end and start < seat.end + buffer_after


def seated_availability(
    participants: Sequence[engine.Participant],
    lo: int,
    hi: int,
    rules: engine.Rules,
    *,
    not_before: int | None,
    seats: Sequence[Seat],
    capacity: int | None,
    collective: bool,
) -> engine.AvailabilityResult:
    """The engine's slots of [lo, hi) with `seats` applied (`fit`, and `rejoin` under strict
    rotation): what a configuration seating several guests offers."""
    result = engine.compute_availability(participants, lo, hi, rules, not_before=not_before)
    if not seats:
        return result
    fitted = partial(
        fit,
        seats=seats,
        capacity=capacity,
        buffer_before=rules.buffer_before,
        buffer_after=rules.buffer_after,
        collective=collective,
    )
    result = fitted(result)
    if rules.strict_rotation:
        # Strict rotation offers the next host's empty slots; a seat left in another host's
        # group meeting stays offered too.
        everyone = replace(rules, strict_rotation=False, method=engine.MAX_AVAILABILITY)
        free = engine.compute_availability(participants, lo, hi, everyone, not_before=not_before)
        result = rejoin(result, fitted(free), seats)
    return result


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


def explain_seated(
    participants: Sequence[engine.Participant],
    bounds: Bounds,
    rules: engine.Rules,
    times: Sequence[int],
    *,
    seats: Sequence[Seat],
    capacity: int | None,
    collective: bool,
    events: Mapping[str, Sequence[BusyEvent]] | None = None,
    blocks: Mapping[str, Sequence[Block]] | None = None,
    named: Collection[str] = (),
) -> list[Explanation]:
    """Explanations of `times` as `seated_availability` offers them (the seats' events left
    out of `participants`' busy time, as for the listing). A seat's event is named only to
    the hosts in `named` (the organizer's calendars); others are told just "busy"."""
    base = explain_times(participants, bounds, rules, times, events=events, blocks=blocks)
    if not seats:
        return base
    apply = _Seated(seats, capacity, rules, collective, {e.lower() for e in named})
    out = [apply(x) for x in base]
    if not rules.strict_rotation:
        return out
    everyone = replace(rules, strict_rotation=False, method=engine.MAX_AVAILABILITY)
    free = explain_times(participants, bounds, everyone, times, events=events, blocks=blocks)
    held = {(s.start, s.end) for s in seats}
    for i, x in enumerate(out):
        if not x.offered and (x.start, x.end) in held:
            joined = apply(free[i])
            if joined.offered:
                out[i] = replace(joined, order=x.order)
    return out


class _Seated:
    """`fit` for one explanation: the reasons the seats add to the engine's."""

    def __init__(
        self,
        seats: Sequence[Seat],
        capacity: int | None,
        rules: engine.Rules,
        collective: bool,
        named: set[str],
    ) -> None:
        self.seats = seats
        self.capacity = capacity
        self.before = rules.buffer_before
        self.after = rules.buffer_after
        self.collective = collective
        self.named = named

    def __call__(self, x: Explanation) -> Explanation:
        t, u = x.start, x.end
        same = [s for s in self.seats if s.start == t and s.end == u]
        full: list[Reason] = []
        if self.capacity is not None and len(same) >= self.capacity:
            full.append(
                Reason(
                    FULL,
                    "no seats left: the group meeting at this time is full",
                    details={"capacity": self.capacity, "taken": len(same)},
                )
            )
        joined = {e.lower() for e in same[0].hosts} if same else None
        per = []
        for p in x.participants:
            email = p.email.lower()
            added = [
                self._seat_reason(p.email, s, t, u)
                for s in self.seats
                if s not in same
                and email in {e.lower() for e in s.hosts}
                and _blocks(s, t, u, self.before, self.after)
            ]
            if joined is not None and email not in joined:
                added.append(
                    Reason(
                        OTHER_HOSTS_MEETING,
                        "the guest joins the group meeting another host holds at this time",
                        p.email,
                        {"hosts": list(same[0].hosts)},
                    )
                )
            per.append(
                ParticipantExplanation(p.email, ordered_reasons([*full, *p.reasons, *added]))
            )
        takers = {p.email for p in per if not p.reasons}
        emails = tuple(e for e in x.emails if e in takers)
        if x.offered and emails and (not self.collective or len(emails) == len(x.emails)):
            return Explanation(t, u, True, emails, [], per, [], x.order)
        shared = ordered_reasons([*full, *(r for r in x.reasons if r.code in SHARED)])
        return refused(t, u, shared, per, collective=self.collective, order=x.order)

    def _seat_reason(self, email: str, seat: Seat, t: int, u: int) -> Reason:
        """Why `seat` (a group meeting, or a hold of a seat) keeps `email` from [t, u)."""
        if seat.event_id is None:
            what = Reason(HELD, "held by another guest", email, {"span": [seat.start, seat.end]})
        elif email.lower() in self.named:
            what = Reason(
                BUSY,
                f"busy with another group meeting (event {seat.event_id})",
                email,
                {"event_id": seat.event_id, "span": [seat.start, seat.end]},
            )
        else:
            what = Reason(BUSY, "busy", email)
        if seat.start < u and t < seat.end:
            return what
        return buffer_reason(email, u <= seat.start, self.before, self.after, what)

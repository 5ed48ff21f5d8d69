"""Property tests: an explanation agrees with the listing, "offered ⇔ no reason".

Worlds are the engine's property-test worlds (DST changes in both hemispheres, +05:30 and
+05:45 zones); the asked times are every offered start, its neighbours a second and a grid
step away, and arbitrary instants in and around the window, for every method (with and
without strict rotation), with booking-limit and hold blocks some of the time, and with the
seats of a configuration that seats several guests per slot some of the time.
"""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.availability import (
    MeetingSpec,
    Participant,
    Rules,
    compute_availability,
    compute_consecutive,
)
from slotwise.availability.consecutive import MAX_LIMIT
from slotwise.availability.explain import (
    BOOKING_LIMIT,
    HELD,
    NOT_THIS_HOSTS_TURN,
    OTHER_HOSTS_MEETING,
    PRECEDENCE,
    SHARED,
    Block,
    Bounds,
    Reason,
    explain_times,
    with_blocks,
)
from slotwise.scheduling.seats import Seat, explain_seated, seated_availability

from .helpers import HOUR, MIN
from .test_properties import rule_sets, worlds

World = tuple[list[Participant], int, int, int | None, date]


@st.composite
def block_maps(draw: st.DrawFn, people: list[Participant], base: int) -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = {}
    for p in people:
        blocks = []
        for _ in range(draw(st.integers(0, 2))):
            start = base + draw(st.integers(-12, 48)) * HOUR
            length = draw(st.sampled_from([30 * MIN, HOUR, 24 * HOUR]))
            code = draw(st.sampled_from([BOOKING_LIMIT, HELD]))
            blocks.append(Block(start, start + length, code, "per_day"))
        if blocks:
            out[p.email] = blocks
    return out


def _of_limit(reason: Reason) -> bool:
    """A booking limit reason, or a buffer of one."""
    of = reason.details.get("of")
    return reason.code == BOOKING_LIMIT or (isinstance(of, dict) and of["code"] == BOOKING_LIMIT)


def _times(data: st.DataObject, starts: list[int], lo: int, hi: int, step: int) -> list[int]:
    near = {x for s in starts for x in (s, s - 1, s + 1, s - step, s + step)}
    extra = data.draw(st.lists(st.integers(lo - 6 * HOUR, hi + 6 * HOUR), max_size=15))
    picked = sorted(near)[:60] + extra
    return picked + [lo, hi]


@st.composite
def seatings(
    draw: st.DrawFn, people: list[Participant], starts: list[int], rules: Rules, base: int
) -> tuple[list[Seat], int | None]:
    """A configuration seating several guests: its capacity (None: unlimited) and the seats
    taken, mostly in the listing's own slots (so meetings fill up), some anywhere; a seat
    without an event is a hold."""
    capacity = draw(st.sampled_from([None, 2, 3]))
    emails = [p.email for p in people]
    seats: list[Seat] = []
    if not emails:
        return seats, capacity
    for _ in range(draw(st.integers(0, 4))):
        in_a_slot = draw(st.booleans())
        if starts and in_a_slot:
            start = draw(st.sampled_from(starts))
        else:
            start = base + draw(st.integers(-12, 48)) * HOUR
        one = (draw(st.sampled_from(emails)),)
        hosts = tuple(emails) if rules.method == "collective" else one
        event = draw(st.none() | st.just(f"event-{len(seats)}"))
        for _ in range(draw(st.integers(1, 3))):  # guests in that meeting
            seats.append(Seat(start, start + rules.duration, event, hosts))
    return seats, capacity


@pytest.mark.slow
@settings(settings.get_profile("availability"))
@given(world=worlds(), rules=rule_sets(), strict=st.booleans(), data=st.data())
def test_offered_iff_no_reason(
    world: World, rules: Rules, strict: bool, data: st.DataObject
) -> None:
    """For every method, with booking limits and holds some of the time, and some of the time
    seating several guests per slot (`scheduling.seats`: the listing and the explanations
    with the seats applied)."""
    people, lo, hi, not_before, _ = world
    if strict and rules.method == "max-fairness":
        rules = replace(rules, strict_rotation=True)
    horizon = data.draw(st.none() | st.integers(lo, hi + 12 * HOUR))
    blocks = data.draw(block_maps(people, lo)) if data.draw(st.booleans()) else {}
    bounds = Bounds(lo, hi, not_before, horizon)
    end = hi if horizon is None else min(hi, horizon)
    blocked = with_blocks(people, blocks)
    listing = compute_availability(blocked, lo, end, rules, not_before=not_before)
    seated: list[Seat] = []
    if data.draw(st.booleans()):
        starts = [s.start for s in listing.slots]
        seated, capacity = data.draw(seatings(people, starts, rules, lo))
        collective = rules.method == "collective"
        listing = seated_availability(
            blocked,
            lo,
            end,
            rules,
            not_before=not_before,
            seats=seated,
            capacity=capacity,
            collective=collective,
        )
    by_start = {s.start: s for s in listing.slots}
    step = rules.interval or rules.duration
    times = _times(data, sorted(by_start), lo, hi, step)
    if seated:
        got = explain_seated(
            people,
            bounds,
            rules,
            times,
            seats=seated,
            capacity=capacity,
            collective=collective,
            blocks=blocks,
        )
    else:
        got = explain_times(people, bounds, rules, times, blocks=blocks)
    exact = replace(rules, round_to=0, interval=None, method="collective", strict_rotation=False)
    assert [x.start for x in got] == times
    for x in got:
        slot = by_start.get(x.start)
        assert x.offered == (slot is not None)
        assert x.offered == (not x.reasons), x
        assert x.order == listing.order
        free = tuple(p.email for p in x.participants if not p.reasons)
        if rules.method == "collective":
            assert x.offered == (bool(people) and len(free) == len(people))
        else:
            assert x.offered == bool(free)
        if slot is not None:
            assert x.emails == slot.emails == free
            assert x.blocked_by == []
        else:
            assert x.emails == ()
            assert x.blocked_by or any(r.code in SHARED for r in x.reasons)
        for p in x.participants:
            codes = [r.code for r in p.reasons]
            assert codes == sorted(codes, key=PRECEDENCE.index)
            if NOT_THIS_HOSTS_TURN in codes:
                assert rules.method == "max-fairness"
                # A host a limit keeps from the slot is passed over, not told it is not
                # their turn.
                assert not any(_of_limit(r) for r in p.reasons), p
        codes = [r.code for r in x.reasons]
        assert codes == sorted(codes, key=PRECEDENCE.index)
        # Each participant's own reasons are genuine: they are there exactly when that person
        # alone cannot take [t, t + duration) (the engine asked with no grid and no bounds),
        # the seats of other meetings they host counting as busy time.
        for person, said in zip(blocked, x.participants, strict=True):
            other_meetings = [
                (s.start, s.end)
                for s in seated
                if person.email.lower() in {e.lower() for e in s.hosts}
                and (s.start, s.end) != (x.start, x.end)
            ]
            alone = compute_availability(
                [replace(person, busy=[*person.busy, *other_meetings])], x.start, x.end, exact
            )
            own = [r for r in said.reasons if r.code not in NOT_OWN]
            assert bool(own) == (not alone.slots), (person, said)


# Reasons that are not about one participant's own time.
NOT_OWN = SHARED | {NOT_THIS_HOSTS_TURN, OTHER_HOSTS_MEETING}


@pytest.mark.slow
@settings(settings.get_profile("availability"))
@given(world=worlds(), rules=rule_sets(), data=st.data())
def test_one_meeting_itinerary_is_explained_as_collective(
    world: World, rules: Rules, data: st.DataObject
) -> None:
    """Consecutive availability where it applies: an itinerary of one meeting of everyone is
    a collective slot, so its first starts are exactly the times explained as offered."""
    people, lo, hi, not_before, _ = world
    if not people:
        return
    rules = replace(rules, method="collective")
    meeting = MeetingSpec(tuple(p.email for p in people), rules.duration)
    itineraries = compute_consecutive(people, [meeting], lo, hi, rules, not_before=not_before)
    starts = sorted(it[0].start for it in itineraries)
    times = _times(data, starts, lo, hi, rules.interval or rules.duration)
    got = explain_times(people, Bounds(lo, hi, not_before), rules, times)
    offered = {x.start for x in got if x.offered}
    if len(itineraries) == MAX_LIMIT:  # the itineraries stop at the limit; the slots do not
        offered = {t for t in offered if t <= starts[-1]}
    assert sorted(offered) == sorted(set(starts) & set(times))

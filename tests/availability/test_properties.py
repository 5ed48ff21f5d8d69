"""Property tests: the engine must agree exactly with the brute-force oracle.

Inputs are drawn around DST changeovers in both hemispheres and in +05:30/+05:45 zones, with
a coarse time unit most of the time (so boundaries collide, which is where bugs live) and
arbitrary seconds some of the time.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slotwise.availability import (
    MeetingSpec,
    Participant,
    Rules,
    SpecificHours,
    WeeklyHours,
    compute_availability,
    compute_consecutive,
    oracle_availability,
    oracle_consecutive,
)
from slotwise.availability.engine import Context, lattice_slots, step_of, swept_slots

from .helpers import BASE_DAYS, HOUR, MIN, at

ZONES = ["UTC", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu"]
EMAILS = ["ann@x", "Bob@x", "bob@x", "cy@x", "dee@x"]

settings.register_profile(
    "availability",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Participant], int, int, int | None, date]:
    base_day = draw(st.sampled_from(BASE_DAYS))
    base = at(base_day.year, base_day.month, base_day.day)
    unit = draw(st.sampled_from([5 * MIN, 15 * MIN, MIN, 1]))

    def instant(lo_hours: int, hi_hours: int) -> int:
        return base + draw(st.integers(lo_hours * HOUR // unit, hi_hours * HOUR // unit)) * unit

    window_start = instant(-12, 36)
    window_end = window_start + draw(st.integers(0, 60 * HOUR // unit)) * unit
    not_before = draw(st.none() | st.just(instant(-12, 60)))
    days_near = [base_day + timedelta(days=k) for k in range(-1, 4)]
    minute = st.integers(0, 95).map(lambda q: q * 15) | st.integers(0, 1439)
    people = []
    emails = draw(st.lists(st.sampled_from(EMAILS), min_size=0, max_size=4, unique=True))
    for email in emails:
        busy = []
        for _ in range(draw(st.integers(0, 5))):
            start = instant(-14, 62)
            busy.append((start, start + draw(st.integers(0, 8 * HOUR // unit)) * unit))
        hours = [
            WeeklyHours(
                days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
                # Midnight starts and ends are common so whole days meet and must join.
                start_minute=draw(st.just(0) | minute),
                end_minute=draw(st.just(0) | minute | st.just(1440)),
                timezone=draw(st.sampled_from(ZONES)),
                exdates=frozenset(draw(st.sets(st.sampled_from(days_near), max_size=2))),
            )
            for _ in range(draw(st.integers(0, 2)))
        ]
        specific = []
        for _ in range(draw(st.integers(0, 2))):
            closed = draw(st.booleans())
            specific.append(
                SpecificHours(
                    date=draw(st.sampled_from(days_near)),
                    start_minute=0 if closed else draw(minute),
                    end_minute=0 if closed else draw(minute | st.just(1440)),
                    timezone=draw(st.sampled_from(ZONES)),
                )
            )
        # Booking limits reached (busy time that, under max-fairness, passes the turn on).
        limited = []
        for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
            start = instant(-14, 62)
            limited.append((start, start + draw(st.integers(0, 24 * HOUR // unit)) * unit))
        people.append(
            Participant(
                email,
                busy=busy,
                limited=limited,
                open_hours=hours,
                specific=specific,
                only_specific=draw(st.booleans()) and draw(st.booleans()),
                last_booked_at=draw(st.none() | st.integers(0, 3)),
            )
        )
    return people, window_start, window_end, not_before, base_day


@st.composite
def rule_sets(draw: st.DrawFn) -> Rules:
    seconds = st.sampled_from([MIN, 5 * MIN, 1])
    return Rules(
        duration=draw(st.integers(1, 24)) * draw(seconds) * 5,
        interval=draw(st.none() | st.integers(1, 12).map(lambda k: k * 5 * MIN) | st.just(7)),
        round_to=draw(st.sampled_from([0, 0, 5, 10, 15, 25, 30, 60]).map(lambda m: m * MIN)),
        round_to_timezone=draw(st.sampled_from(ZONES)),
        method=draw(st.sampled_from(["collective", "max-availability", "max-fairness"])),
        buffer_before=draw(st.sampled_from([0, 0, 10 * MIN, 30 * MIN, 7])),
        buffer_after=draw(st.sampled_from([0, 0, 15 * MIN, 60 * MIN])),
    )


@pytest.mark.slow
@settings(settings.get_profile("availability"))
@given(world=worlds(), rules=rule_sets())
def test_engine_matches_oracle(
    world: tuple[list[Participant], int, int, int | None, date], rules: Rules
) -> None:
    people, lo, hi, not_before, _ = world
    got = compute_availability(people, lo, hi, rules, not_before=not_before)
    assert got == oracle_availability(people, lo, hi, rules, not_before=not_before)
    for slot in got.slots:
        assert slot.end - slot.start == rules.duration
        assert lo <= slot.start and slot.end <= hi
        assert not_before is None or slot.start >= not_before
        assert slot.emails


@pytest.mark.slow
@settings(settings.get_profile("availability"))
@given(world=worlds(), rules=rule_sets(), data=st.data())
def test_consecutive_matches_oracle(
    world: tuple[list[Participant], int, int, int | None, date],
    rules: Rules,
    data: st.DataObject,
) -> None:
    people, lo, hi, not_before, _ = world
    if not people:
        return
    emails = [p.email for p in people]
    count = data.draw(st.integers(1, 4))
    meetings: list[MeetingSpec] = []
    for i in range(count):
        gap_ok = 0 < i < count - 1 and meetings[-1].emails != ()
        if gap_ok and data.draw(st.booleans()):
            meetings.append(MeetingSpec((), data.draw(st.integers(1, 6)) * 5 * MIN))
            continue
        group = data.draw(st.lists(st.sampled_from(emails), min_size=1, max_size=3, unique=True))
        meetings.append(MeetingSpec(tuple(group), data.draw(st.integers(1, 12)) * 5 * MIN))
    limit = data.draw(st.sampled_from([1, 3, 10000]))
    got = compute_consecutive(people, meetings, lo, hi, rules, limit=limit, not_before=not_before)
    assert got == oracle_consecutive(
        people, meetings, lo, hi, rules, limit=limit, not_before=not_before
    )
    assert len(got) <= limit
    assert [it[0].start for it in got] == sorted(it[0].start for it in got)


@st.composite
def lattice_rules(draw: st.DrawFn) -> Rules:
    """Rules whose grid is often a lattice: ``round_to`` equal to the interval."""
    step = draw(st.sampled_from([5, 10, 15, 30, 60])) * MIN
    return Rules(
        duration=draw(st.integers(1, 12)) * 5 * MIN,
        interval=step,
        round_to=draw(st.sampled_from([step, step, 5 * MIN, 0])),
        round_to_timezone=draw(st.sampled_from(ZONES)),
        method="max-availability",
        buffer_before=draw(st.sampled_from([0, 10 * MIN, 7])),
        buffer_after=draw(st.sampled_from([0, 15 * MIN])),
    )


@pytest.mark.slow
@settings(settings.get_profile("availability"))
@given(world=worlds(), rules=lattice_rules())
def test_lattice_path_agrees_with_swept_path(
    world: tuple[list[Participant], int, int, int | None, date], rules: Rules
) -> None:
    people, lo, hi, not_before, _ = world
    ctx = Context(lo, hi, rules, not_before)
    frees = [ctx.free_time(p) for p in people]
    emails = [p.email for p in people]
    step = step_of(rules, rules.duration)
    fast = lattice_slots(frees, emails, rules.duration, step, ctx.snap)
    if fast is not None:
        assert fast == swept_slots(frees, emails, rules.duration, step, ctx.snap)
    # With round_to equal to the interval only an offset change of the rounding zone inside
    # the window may send a request down the general path (every step drawn divides the day).
    timeline = ctx.snap.timeline
    if rules.round_to == step and (timeline is None or timeline.fixed is not None):
        assert fast is not None

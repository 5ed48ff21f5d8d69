"""Property tests for the engine's fast paths (lattice snapper, shared open hours).

Instants are drawn around DST changeovers in both hemispheres and in the +05:45 zone,
where a rounding lattice may break.
"""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.availability import (
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    oracle_availability,
)
from slotwise.availability.zones import DAY, Snapper

from .helpers import BASE_DAYS, HOUR, MIN, at

DST_ZONES = ["America/New_York", "Australia/Sydney", "Asia/Kathmandu", "UTC", "Europe/London"]


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from([*DST_ZONES, "Australia/Lord_Howe"]),
    base=st.sampled_from(BASE_DAYS),
    step=st.sampled_from([5, 15, 30, 60, 45, 7]).map(lambda m: m * MIN),
    offsets=st.lists(st.integers(-DAY, 3 * DAY), min_size=1, max_size=20),
)
def test_a_lattice_snapper_rounds_up_onto_its_lattice(
    name: str, base: date, step: int, offsets: list[int]
) -> None:
    lo = at(base.year, base.month, base.day)
    snap = Snapper(step, name, lo, lo + 2 * DAY)
    phase = snap.lattice(step)
    if phase is None:
        return
    for t in (lo + k for k in offsets):
        assert snap(t) == t + (phase - t) % step
    # A snapper never has a lattice for another step.
    assert snap.lattice(2 * step) is None


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(DST_ZONES),
    base=st.sampled_from(BASE_DAYS),
    rounding=st.sampled_from(DST_ZONES),
    busy=st.lists(st.tuples(st.integers(0, 4 * 96), st.integers(1, 12)), max_size=12),
    method=st.sampled_from(["max-availability", "collective", "max-fairness"]),
)
def test_people_sharing_hours_match_the_oracle(
    name: str, base: date, rounding: str, busy: list[tuple[int, int]], method: str
) -> None:
    # Open time is expanded once per distinct set of hours: the people here share theirs
    # (equal rules, not the same object), and their busy time differs.
    lo = at(base.year, base.month, base.day) - 12 * HOUR
    people = [
        Participant(
            f"p{i}@x",
            busy=[(lo + q * 15 * MIN, lo + (q + n) * 15 * MIN) for q, n in busy[i::3]],
            open_hours=[WeeklyHours(frozenset(range(7)), 8 * 60, 18 * 60, name)],
        )
        for i in range(3)
    ]
    rules = Rules(
        duration=30 * MIN,
        interval=15 * MIN,
        round_to=15 * MIN,
        round_to_timezone=rounding,
        method=method,
    )
    hi = lo + 4 * DAY
    assert compute_availability(people, lo, hi, rules) == oracle_availability(people, lo, hi, rules)

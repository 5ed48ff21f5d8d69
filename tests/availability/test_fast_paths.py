"""Property tests for the engine's batch fast paths against the one-at-a-time originals.

Readings and instants are drawn around DST changeovers in both hemispheres and in the
+05:45 zone, where the batch conversion must defer to ``to_epoch`` and a lattice may break.
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.availability import (
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    oracle_availability,
)
from slotwise.availability.zones import DAY, Snapper, wall_seconds, wall_to_utc, walls_to_utc, zone

from .helpers import HOUR, MIN, at

DST_ZONES = ["America/New_York", "Australia/Sydney", "Asia/Kathmandu", "UTC", "Europe/London"]
# Days just before a changeover (New York spring/fall, Sydney fall/spring) and a plain day.
BASE_DAYS = [
    date(2024, 3, 9),
    date(2024, 11, 2),
    date(2024, 4, 6),
    date(2024, 10, 5),
    date(2024, 5, 6),
]


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(DST_ZONES),
    base=st.sampled_from(BASE_DAYS),
    readings=st.lists(
        st.tuples(st.integers(-2, 3), st.integers(0, 1440) | st.sampled_from([120, 150, 180])),
        max_size=12,
    ),
)
def test_walls_to_utc_is_wall_to_utc_one_by_one(
    name: str, base: date, readings: list[tuple[int, int]]
) -> None:
    tz = zone(name)
    days = [(base + timedelta(days=k), minute) for k, minute in readings]
    walls = [wall_seconds(day.toordinal(), minute) for day, minute in days]
    assert walls_to_utc(tz, walls) == [wall_to_utc(tz, day, minute) for day, minute in days]


def test_wall_seconds_counts_from_the_epoch_reading() -> None:
    assert wall_seconds(date(1970, 1, 1).toordinal(), 0) == 0
    assert wall_seconds(date(2024, 5, 6).toordinal(), 90) == at(2024, 5, 6) + 90 * MIN


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


def test_a_wall_reading_in_the_gap_moves_to_the_jump() -> None:
    # 02:30 on New York's spring-forward day is skipped: the clocks jump at 07:00 UTC.
    tz = zone("America/New_York")
    reading = wall_seconds(date(2024, 3, 10).toordinal(), 150)
    assert walls_to_utc(tz, [reading]) == [at(2024, 3, 10, 7)]

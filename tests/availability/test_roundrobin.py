from dataclasses import replace

from slotwise.availability import (
    MAX_FAIRNESS,
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    oracle_availability,
    round_robin_order,
)
from slotwise.availability.roundrobin import fairness_keep

from .helpers import at, clock


def test_never_booked_first_alphabetically_then_least_recent() -> None:
    people = [
        Participant("zed@x", last_booked_at=300),
        Participant("bob@x"),
        Participant("amy@x", last_booked_at=100),
        Participant("Carl@x"),
        Participant("abe@x"),
    ]
    assert round_robin_order(people) == ["abe@x", "bob@x", "Carl@x", "amy@x", "zed@x"]


def test_ties_break_alphabetically() -> None:
    people = [
        Participant("b@x", last_booked_at=5),
        Participant("a@x", last_booked_at=5),
        Participant("B@x", last_booked_at=5),
    ]
    assert round_robin_order(people) == ["a@x", "B@x", "b@x"]


def test_case_insensitive_with_exact_tie_break() -> None:
    assert round_robin_order([Participant("a@x"), Participant("A@x")]) == ["A@x", "a@x"]


def test_booked_at_zero_is_booked() -> None:
    people = [Participant("a@x", last_booked_at=0), Participant("z@x")]
    assert round_robin_order(people) == ["z@x", "a@x"]


def test_fairness_keep() -> None:
    assert fairness_keep([]) == []
    assert fairness_keep(["a"]) == ["a"]
    assert fairness_keep(["a", "b"]) == ["a"]
    assert fairness_keep(["a", "b", "c"]) == ["a", "b"]
    assert fairness_keep(["a", "b", "c", "d", "e", "f"]) == ["a", "b", "c"]


def test_same_second_bookings_rotate_by_their_sequence() -> None:
    people = [
        Participant("a@x", last_booked_at=5, last_booked_seq=3),
        Participant("b@x", last_booked_at=5, last_booked_seq=2),
        Participant("c@x", last_booked_at=4, last_booked_seq=9),
    ]
    assert round_robin_order(people) == ["c@x", "b@x", "a@x"]


# -- a host at a booking limit passes their turn on ----------------------------------------------

DAY_1 = at(2024, 5, 6)
DAY_2 = DAY_1 + 86400
HOURLY = Rules(duration=3600, method=MAX_FAIRNESS, strict_rotation=True)


def _pool(limited_day: tuple[int, int] | None) -> list[Participant]:
    """ann is next in turn (never booked), then bob, then cy; ann may be at a limit."""
    hours = [WeeklyHours(frozenset(range(7)), 9 * 60, 11 * 60, "UTC")]
    return [
        Participant("ann@x", open_hours=hours, limited=[limited_day] if limited_day else []),
        Participant("bob@x", open_hours=hours, last_booked_at=10),
        Participant("cy@x", open_hours=hours, last_booked_at=20),
    ]


def test_strict_rotation_gives_a_limited_hosts_turn_to_the_next_for_that_period_only() -> None:
    people = _pool((DAY_1, DAY_2))
    got = compute_availability(people, DAY_1, DAY_2 + 86400, HOURLY)
    assert [(clock(s.start), s.emails) for s in got.slots] == [
        ("09:00", ("bob@x",)),
        ("10:00", ("bob@x",)),
        ("09:00", ("ann@x",)),  # the next day: the limit's period is over
        ("10:00", ("ann@x",)),
    ]
    assert got.order == ["ann@x", "bob@x", "cy@x"]  # the cut changes in the window: all
    assert got == oracle_availability(people, DAY_1, DAY_2 + 86400, HOURLY)
    # Within the limit's period alone the cut is bob.
    assert compute_availability(people, DAY_1, DAY_2, HOURLY).order == ["bob@x"]


def test_plain_busy_time_keeps_the_turn() -> None:
    [ann, bob, cy] = _pool(None)
    people = [replace(ann, busy=[(DAY_1, DAY_2)]), bob, cy]
    assert compute_availability(people, DAY_1, DAY_2, HOURLY).slots == []


def test_max_fairness_takes_its_half_over_the_hosts_not_at_a_limit() -> None:
    rules = replace(HOURLY, strict_rotation=False)
    people = _pool((DAY_1, DAY_2))
    got = compute_availability(people, DAY_1, DAY_2, rules)
    # Without ann the order is bob, cy: the half is bob alone (cy is not offered).
    assert {s.emails for s in got.slots} == {("bob@x",)}
    assert got == oracle_availability(people, DAY_1, DAY_2, rules)

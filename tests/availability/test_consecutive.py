"""Consecutive itineraries: order, gaps, grids, limits and validation."""

import pytest

from slotwise.availability import (
    AvailabilityInputError,
    MeetingSpec,
    Participant,
    Rules,
    compute_consecutive,
    oracle_consecutive,
)

from .helpers import MIN, at, clock

MON = (2024, 5, 6)


def t(h: int, m: int = 0) -> int:
    return at(*MON, h, m)


def run(
    people: list[Participant],
    meetings: list[MeetingSpec],
    rules: Rules,
    lo: int = t(9),
    hi: int = t(12),
    limit: int = 10000,
) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    got = compute_consecutive(people, meetings, lo, hi, rules, limit=limit)
    assert got == oracle_consecutive(people, meetings, lo, hi, rules, limit=limit)
    return [[(clock(s.start), clock(s.end), s.emails) for s in it] for it in got]


PEOPLE = [
    Participant("a@x", busy=[(t(9), t(9, 30))]),
    Participant("b@x", busy=[(t(10, 30), t(11))]),
    Participant("c@x"),
]
AB = MeetingSpec(("a@x", "b@x"), 30 * MIN)
C = MeetingSpec(("c@x",), 30 * MIN)
B = MeetingSpec(("b@x",), 30 * MIN)


def test_back_to_back_in_the_given_order() -> None:
    got = run(PEOPLE, [AB, C], Rules(duration=0, interval=30 * MIN))
    assert got == [
        [("09:30", "10:00", ("a@x", "b@x")), ("10:00", "10:30", ("c@x",))],
        [("10:00", "10:30", ("a@x", "b@x")), ("10:30", "11:00", ("c@x",))],
        [("11:00", "11:30", ("a@x", "b@x")), ("11:30", "12:00", ("c@x",))],
    ]


def test_second_meeting_must_be_free_too() -> None:
    got = run(PEOPLE, [C, B], Rules(duration=0, interval=30 * MIN))
    assert [it[0][0] for it in got] == ["09:00", "09:30", "10:30", "11:00"]


def test_gap_between_meetings_is_not_returned() -> None:
    gap = MeetingSpec((), 15 * MIN)
    got = run(PEOPLE, [C, gap, B], Rules(duration=0, interval=15 * MIN))
    assert got[0] == [("09:00", "09:30", ("c@x",)), ("09:45", "10:15", ("b@x",))]
    # B is busy 10:30-11:00, so B's meeting (45 minutes after the start) must avoid it.
    assert [it[0][0] for it in got] == ["09:00", "09:15", "10:15", "10:30", "10:45"]


def test_interval_defaults_to_first_meeting_duration_and_round_to_applies() -> None:
    people = [Participant("a@x", busy=[(t(9), t(9, 5))])]
    m = MeetingSpec(("a@x",), 20 * MIN)
    assert [it[0][0] for it in run(people, [m], Rules(duration=0), hi=t(10))] == [
        "09:05",
        "09:25",
    ]
    rounded = Rules(duration=0, round_to=15 * MIN)
    assert [it[0][0] for it in run(people, [m], rounded, hi=t(10))] == ["09:15", "09:35"]


def test_sorted_by_start_and_limited() -> None:
    got = run(PEOPLE, [C], Rules(duration=0, interval=5 * MIN), limit=3)
    assert [it[0][0] for it in got] == ["09:00", "09:05", "09:10"]


def test_buffers_apply() -> None:
    rules = Rules(duration=0, interval=30 * MIN, buffer_after=30 * MIN)
    got = run(PEOPLE, [AB], rules)
    assert [it[0][0] for it in got] == ["10:00", "11:30"]


def test_not_before() -> None:
    got = compute_consecutive(
        PEOPLE, [C], t(9), t(12), Rules(duration=0, interval=30 * MIN), not_before=t(11)
    )
    assert [clock(it[0].start) for it in got] == ["11:00", "11:30"]


@pytest.mark.parametrize(
    ("meetings", "limit"),
    [
        ([], 10),
        ([MeetingSpec((), 10 * MIN), C], 10),
        ([C, MeetingSpec((), 10 * MIN)], 10),
        ([C, MeetingSpec((), 5 * MIN), MeetingSpec((), 5 * MIN), C], 10),
        ([MeetingSpec(("nobody@x",), 10 * MIN)], 10),
        ([MeetingSpec(("c@x",), 0)], 10),
        ([C], 0),
        ([C], 10001),
        ([C] * 501, 10),
    ],
)
def test_invalid_requests(meetings: list[MeetingSpec], limit: int) -> None:
    with pytest.raises(AvailabilityInputError):
        compute_consecutive(PEOPLE, meetings, t(9), t(12), Rules(duration=0), limit=limit)

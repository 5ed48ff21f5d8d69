"""The three v2 /calendars/availability conformance vectors, converted by hand to engine input.

v2 conversions done here: minutes -> seconds, ``buffer`` (minutes) on both sides, v2 days
(0 = Monday) are already the engine's numbering, "H:MM" -> minutes, no ``round_robin`` means
collective. The HTTP layer does the same conversions; these tests pin the engine's half.
"""

from slotwise.availability import (
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    oracle_availability,
)

from .helpers import MIN

AVERY, BLAKE, CASEY = "avery@example.com", "blake@example.com", "casey@example.com"


def grid(first: int, last: int, step: int, length: int) -> list[tuple[int, int]]:
    return [(s, s + length) for s in range(first, last + 1, step)]


def test_v2_collective_free_busy() -> None:
    busy = [(1647889200, 1647896400)]
    people = [Participant(e, busy=busy) for e in (AVERY, BLAKE, CASEY)]
    rules = Rules(duration=15 * MIN, interval=5 * MIN)
    got = compute_availability(people, 1647889200, 1647900000, rules)
    assert got == oracle_availability(people, 1647889200, 1647900000, rules)
    assert [(s.start, s.end) for s in got.slots] == grid(1647896400, 1647899100, 300, 900)
    assert got.order == []


def _round_robin(method: str, emails: tuple[str, ...]) -> tuple[list[Participant], Rules]:
    hours = WeeklyHours(frozenset({0, 1, 2, 3, 4}), 10 * 60, 16 * 60, "America/Los_Angeles")
    people = [Participant(e, open_hours=[hours]) for e in emails]
    rules = Rules(
        duration=15 * MIN,
        interval=5 * MIN,
        method=method,
        buffer_before=30 * MIN,
        buffer_after=30 * MIN,
    )
    return people, rules


def test_v2_round_robin_max_availability() -> None:
    people, rules = _round_robin("max-availability", (AVERY, BLAKE))
    got = compute_availability(people, 1647986400, 1647993600, rules)
    assert got == oracle_availability(people, 1647986400, 1647993600, rules)
    assert got.order == [AVERY, BLAKE]
    assert [(s.start, s.end) for s in got.slots] == grid(1647986400, 1647989100, 300, 900)
    assert all(set(s.emails) == {AVERY, BLAKE} for s in got.slots)


def test_v2_round_robin_max_fairness() -> None:
    people, rules = _round_robin("max-fairness", (AVERY, BLAKE, CASEY))
    got = compute_availability(people, 1647986400, 1647993600, rules)
    assert got == oracle_availability(people, 1647986400, 1647993600, rules)
    assert got.order == [AVERY, BLAKE]
    assert [(s.start, s.end) for s in got.slots] == grid(1647986400, 1647989100, 300, 900)
    assert all(set(s.emails) == {AVERY, BLAKE} for s in got.slots)

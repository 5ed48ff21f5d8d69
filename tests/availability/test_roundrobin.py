from slotwise.availability import Participant, round_robin_order
from slotwise.availability.roundrobin import fairness_keep


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

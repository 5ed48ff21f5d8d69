"""Table tests for compute_availability: every rule on its own, then the methods."""

from dataclasses import replace
from datetime import date

import pytest

from slotwise.availability import (
    AvailabilityInputError,
    Participant,
    Rules,
    SpecificHours,
    WeeklyHours,
    compute_availability,
    find_slot,
    oracle_availability,
)

from .helpers import ALL_DAYS, HOUR, MIN, WEEKDAYS, at, hm, starts, wall

NY = "America/New_York"
SYD = "Australia/Sydney"
MON = (2024, 5, 6)  # a Monday


def t(h: int, m: int = 0) -> int:
    return at(*MON, h, m)


def run(
    people: list[Participant],
    lo: int,
    hi: int,
    rules: Rules,
    not_before: int | None = None,
) -> list[str]:
    """Starts as HH:MM (UTC), after checking the oracle agrees."""
    got = compute_availability(people, lo, hi, rules, not_before=not_before)
    assert got == oracle_availability(people, lo, hi, rules, not_before=not_before)
    return starts(got)


def r(
    dur: int,
    step: int | None = None,
    *,
    round_to: int = 0,
    round_to_timezone: str = "UTC",
    method: str = "collective",
    buffer_before: int = 0,
    buffer_after: int = 0,
) -> Rules:
    """Rules with duration and interval in minutes (everything else as the engine takes it)."""
    return Rules(
        duration=dur * MIN,
        interval=None if step is None else step * MIN,
        round_to=round_to,
        round_to_timezone=round_to_timezone,
        method=method,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
    )


# --- grid -------------------------------------------------------------------------------------


def test_interval_defaults_to_duration() -> None:
    assert run([Participant("a@x")], t(9), t(11), r(30)) == ["09:00", "09:30", "10:00", "10:30"]


def test_interval_grid_overlapping_slots() -> None:
    got = run([Participant("a@x")], t(9), t(10), r(30, 10))
    assert got == ["09:00", "09:10", "09:20", "09:30"]


def test_window_that_starts_and_ends_mid_slot() -> None:
    # Anchored at the (clipped) free stretch; the last slot must end inside the window.
    got = run([Participant("a@x")], t(9, 10), t(10, 50), r(30))
    assert got == ["09:10", "09:40", "10:10"]


def test_grid_is_anchored_per_free_stretch() -> None:
    a = Participant("a@x", busy=[(t(10), t(10, 5))])
    assert run([a], t(9), t(11, 5), r(30)) == ["09:00", "09:30", "10:05", "10:35"]


def test_doc_example_free_from_0959() -> None:
    a = Participant("a@x", busy=[(t(9), t(9, 59))])
    got = run([a], t(9), t(11), r(30, 15, round_to=15 * MIN))
    assert got == ["10:00", "10:15", "10:30"]


@pytest.mark.parametrize(
    ("free_from", "round_to", "first"),
    [((9, 5), 15, "09:15"), ((16, 10), 30, "16:30"), ((9, 0), 15, "09:00"), ((9, 1), 5, "09:05")],
)
def test_round_to_snaps_up(free_from: tuple[int, int], round_to: int, first: str) -> None:
    a = Participant("a@x", busy=[(t(0), t(*free_from))])
    got = run([a], t(0), t(23), r(30, 30, round_to=round_to * MIN))
    assert got[0] == first


def test_round_to_in_kolkata_wall_clock() -> None:
    kol = "Asia/Kolkata"
    a = Participant("a@x", busy=[(at(*MON, 0, tz=kol), at(*MON, 9, 10, tz=kol))])
    lo, hi = at(*MON, 0, tz=kol), at(*MON, 12, tz=kol)
    local = r(60, 60, round_to=60 * MIN, round_to_timezone=kol)
    assert run([a], lo, hi, local) and starts(compute_availability([a], lo, hi, local), kol) == [
        "10:00",
        "11:00",
    ]
    utc = r(60, 60, round_to=60 * MIN)
    assert starts(compute_availability([a], lo, hi, utc), kol) == ["09:30", "10:30"]
    quarter = r(15, 15, round_to=15 * MIN, round_to_timezone=kol)
    assert starts(compute_availability([a], lo, at(*MON, 10, tz=kol), quarter), kol) == [
        "09:15",
        "09:30",
        "09:45",
    ]


def test_round_to_in_kathmandu_wall_clock() -> None:
    ktm = "Asia/Kathmandu"
    a = Participant("a@x", open_hours=[WeeklyHours(ALL_DAYS, hm("9:05"), hm("11:00"), ktm)])
    lo, hi = at(*MON, tz=ktm), at(*MON, 12, tz=ktm)
    local = r(30, 30, round_to=30 * MIN, round_to_timezone=ktm)
    assert run([a], lo, hi, local) is not None
    assert starts(compute_availability([a], lo, hi, local), ktm) == ["09:30", "10:00", "10:30"]
    utc = r(30, 30, round_to=30 * MIN)
    assert starts(compute_availability([a], lo, hi, utc), ktm) == ["09:15", "09:45", "10:15"]


# --- busy, buffers, open hours, not_before ------------------------------------------------------


def test_busy_any_order_and_overlapping() -> None:
    a = Participant("a@x", busy=[(t(11), t(12)), (t(9, 30), t(10)), (t(9, 45), t(10, 30))])
    assert run([a], t(9), t(13), r(30)) == ["09:00", "10:30", "12:00", "12:30"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0, 0, ["09:00", "09:30", "11:00", "11:30"]),
        (30, 0, ["09:00", "11:00", "11:30"]),
        (0, 15, ["09:00", "09:30", "11:15"]),
        (30, 15, ["09:00", "11:15"]),
    ],
)
def test_buffers_widen_busy(before: int, after: int, expected: list[str]) -> None:
    a = Participant("a@x", busy=[(t(10), t(11))])
    rules = r(30, buffer_before=before * MIN, buffer_after=after * MIN)
    assert run([a], t(9), t(12), rules) == expected


def test_open_hours_limit_slots() -> None:
    a = Participant("a@x", open_hours=[WeeklyHours(WEEKDAYS, hm("9:00"), hm("10:30"), "UTC")])
    assert run([a], t(0), t(23), r(30)) == ["09:00", "09:30", "10:00"]


def test_exdate_and_override_at_engine_level() -> None:
    rule = WeeklyHours(WEEKDAYS, hm("9:00"), hm("10:00"), "UTC", frozenset({date(2024, 5, 7)}))
    spec = SpecificHours(date(2024, 5, 8), hm("15:00"), hm("16:00"), "UTC")
    closed = SpecificHours(date(2024, 5, 9), 0, 0, "UTC")
    a = Participant("a@x", open_hours=[rule], specific=[spec, closed])
    got = compute_availability([a], at(2024, 5, 6), at(2024, 5, 11), r(60))
    assert [s.start for s in got.slots] == [
        at(2024, 5, 6, 9),
        at(2024, 5, 8, 15),
        at(2024, 5, 10, 9),
    ]


def test_only_specific_at_engine_level() -> None:
    spec = SpecificHours(date(2024, 5, 6), hm("13:00"), hm("14:00"), "UTC")
    a = Participant("a@x", specific=[spec], only_specific=True)
    assert run([a], t(0), t(23, 59), r(30)) == ["13:00", "13:30"]


def test_not_before_clips_and_reanchors() -> None:
    a = Participant("a@x")
    assert run([a], t(9), t(10), r(15, round_to=15 * MIN), not_before=t(9, 7)) == [
        "09:15",
        "09:30",
        "09:45",
    ]
    assert run([a], t(9), t(10), r(30), not_before=t(8)) == ["09:00", "09:30"]
    assert run([a], t(9), t(10), r(30), not_before=t(11)) == []


def test_empty_or_inverted_window() -> None:
    assert run([Participant("a@x")], t(10), t(10), r(30)) == []
    assert run([Participant("a@x")], t(10), t(9), r(30)) == []
    assert run([Participant("a@x")], t(10), t(10, 29), r(30)) == []


def test_no_participants() -> None:
    for method in ("collective", "max-availability", "max-fairness"):
        got = compute_availability([], t(9), t(10), r(30, method=method))
        assert got.slots == [] and got.order == []


# --- DST at engine level ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        (NY, (2024, 3, 10), ["01:00-0500", "03:00-0400"]),
        (NY, (2024, 11, 3), ["01:00-0400", "01:00-0500", "02:00-0500", "03:00-0500"]),
        (SYD, (2024, 4, 7), ["01:00+1100", "02:00+1100", "02:00+1000", "03:00+1000"]),
        (SYD, (2024, 10, 6), ["01:00+1000", "03:00+1100"]),
    ],
)
def test_hourly_slots_on_changeover_days(
    tz: str, day: tuple[int, int, int], expected: list[str]
) -> None:
    a = Participant("a@x", open_hours=[WeeklyHours(ALL_DAYS, hm("1:00"), hm("4:00"), tz)])
    lo, hi = at(*day, tz=tz), at(*day, 12, tz=tz)
    rules = r(60, 60, round_to=60 * MIN, round_to_timezone=tz)
    got = compute_availability([a], lo, hi, rules)
    assert got == oracle_availability([a], lo, hi, rules)
    assert [wall(s.start, tz)[11:] for s in got.slots] == expected


def test_nine_to_five_keeps_local_time_across_the_change() -> None:
    a = Participant("a@x", open_hours=[WeeklyHours(ALL_DAYS, hm("9:00"), hm("10:00"), NY)])
    got = compute_availability([a], at(2024, 3, 9), at(2024, 3, 12), r(60))
    assert [s.start for s in got.slots] == [
        at(2024, 3, 9, 14),  # EST: 09:00 = 14:00 UTC
        at(2024, 3, 10, 13),  # EDT: 09:00 = 13:00 UTC
        at(2024, 3, 11, 13),
    ]


# --- methods ----------------------------------------------------------------------------------


def _three() -> list[Participant]:
    return [
        Participant("carol@x", busy=[(t(9), t(10))]),
        Participant("alice@x", busy=[(t(10), t(11))]),
        Participant("bob@x", busy=[(t(9), t(9, 30))]),
    ]


def test_collective_needs_everyone_and_lists_input_order() -> None:
    got = compute_availability(_three(), t(9), t(12), r(30))
    assert starts(got) == ["11:00", "11:30"]
    assert all(s.emails == ("carol@x", "alice@x", "bob@x") for s in got.slots)
    assert got.order == []


def test_max_availability_lists_who_is_free() -> None:
    people = _three()
    got = compute_availability(people, t(9), t(12), r(30, method="max-availability"))
    assert got == oracle_availability(people, t(9), t(12), r(30, method="max-availability"))
    table = [(s, list(x.emails)) for s, x in zip(starts(got), got.slots, strict=True)]
    assert table == [
        ("09:00", ["alice@x"]),
        ("09:30", ["alice@x", "bob@x"]),
        ("10:00", ["carol@x", "bob@x"]),
        ("10:30", ["carol@x", "bob@x"]),
        ("11:00", ["carol@x", "alice@x", "bob@x"]),
        ("11:30", ["carol@x", "alice@x", "bob@x"]),
    ]
    assert got.order == ["alice@x", "bob@x", "carol@x"]


def test_max_availability_unions_each_persons_grid() -> None:
    a = Participant("a@x", busy=[(t(9), t(9, 15))])
    b = Participant("b@x")
    got = compute_availability([a, b], t(9), t(10, 30), r(30, method="max-availability"))
    assert [(s, x.emails) for s, x in zip(starts(got), got.slots, strict=True)] == [
        ("09:00", ("b@x",)),
        ("09:15", ("a@x", "b@x")),
        ("09:30", ("a@x", "b@x")),
        ("09:45", ("a@x", "b@x")),
        ("10:00", ("a@x", "b@x")),
    ]


@pytest.mark.parametrize(
    ("count", "kept"),
    [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)],
)
def test_max_fairness_keeps_first_half_rounded_up(count: int, kept: int) -> None:
    people = [Participant(f"p{i}@x") for i in range(count)]
    got = compute_availability(people, t(9), t(10), r(30, method="max-fairness"))
    assert got.order == [f"p{i}@x" for i in range(kept)]
    assert all(s.emails == tuple(got.order) for s in got.slots)


def test_max_fairness_uses_booking_history() -> None:
    people = [
        Participant("amy@x", last_booked_at=t(8)),
        Participant("ben@x", last_booked_at=t(7)),
        Participant("cat@x"),
    ]
    got = compute_availability(people, t(9), t(10), r(30, method="max-fairness"))
    assert got.order == ["cat@x", "ben@x"]
    assert {s.emails for s in got.slots} == {("ben@x", "cat@x")}  # input order


def test_max_fairness_falls_back_to_everyone() -> None:
    people = [
        Participant("amy@x", busy=[(t(0), t(23))]),
        Participant("ben@x", busy=[(t(0), t(23))]),
        Participant("cat@x", last_booked_at=t(1)),
    ]
    got = compute_availability(people, t(9), t(10), r(30, method="max-fairness"))
    assert got.order == ["amy@x", "ben@x", "cat@x"]
    assert [s.emails for s in got.slots] == [("cat@x",), ("cat@x",)]
    assert got == oracle_availability(people, t(9), t(10), r(30, method="max-fairness"))


def test_max_fairness_no_slots_at_all() -> None:
    people = [Participant("amy@x", busy=[(t(0), t(23))])]
    got = compute_availability(people, t(9), t(10), r(30, method="max-fairness"))
    assert got.slots == [] and got.order == ["amy@x"]


# --- validation and find_slot -----------------------------------------------------------------


@pytest.mark.parametrize(
    "rules",
    [
        Rules(duration=0),
        Rules(duration=60, interval=0),
        Rules(duration=60, round_to=-1),
        Rules(duration=60, method="fastest"),
        Rules(duration=60, buffer_before=-5),
        Rules(duration=60, round_to=900, round_to_timezone="Not/AZone"),
    ],
)
def test_bad_rules(rules: Rules) -> None:
    with pytest.raises(AvailabilityInputError):
        compute_availability([Participant("a@x")], t(9), t(10), rules)


def test_bad_participants() -> None:
    with pytest.raises(AvailabilityInputError):
        compute_availability([Participant("a@x"), Participant("a@x")], t(9), t(10), r(30))
    bad_day = WeeklyHours(frozenset({7}), 0, 60, "UTC")
    with pytest.raises(AvailabilityInputError):
        compute_availability([Participant("a@x", open_hours=[bad_day])], t(9), t(10), r(30))
    bad_minute = WeeklyHours(ALL_DAYS, 0, 1500, "UTC")
    with pytest.raises(AvailabilityInputError):
        compute_availability([Participant("a@x", open_hours=[bad_minute])], t(9), t(10), r(30))


def test_find_slot() -> None:
    people = _three()
    rules = r(30, method="max-availability")
    slot = find_slot(people, t(9, 30), t(10), t(9), t(12), rules)
    assert slot is not None and slot.emails == ("alice@x", "bob@x")
    assert find_slot(people, t(9, 15), t(9, 45), t(9), t(12), rules) is None
    assert find_slot(people, t(9, 30), t(10), t(9), t(12), rules, not_before=t(9, 45)) is None


def test_slot_length_is_exact() -> None:
    got = compute_availability([Participant("a@x")], t(9), t(10), Rules(duration=25 * MIN + 7))
    assert all(s.end - s.start == 25 * MIN + 7 for s in got.slots)
    assert len(got.slots) == 2


def test_many_days_window() -> None:
    a = Participant("a@x", open_hours=[WeeklyHours(WEEKDAYS, hm("9:00"), hm("17:00"), NY)])
    got = compute_availability([a], at(2024, 5, 1), at(2024, 6, 1), r(60))
    assert len(got.slots) == 23 * 8  # May 2024 has 23 weekdays
    assert HOUR == 60 * MIN


def test_strict_rotation_offers_only_the_next_in_line() -> None:
    people = [
        Participant("amy@x", last_booked_at=t(8)),
        Participant("ben@x", busy=[(t(9), t(9, 30))]),
        Participant("cat@x", last_booked_at=t(7)),
    ]
    rules = replace(r(30, method="max-fairness"), strict_rotation=True)
    got = compute_availability(people, t(9), t(10), rules)
    # ben was never booked, so he is next; his busy half hour is not filled by anyone else.
    assert got.order == ["ben@x"]
    assert [(s.start, s.emails) for s in got.slots] == [(t(9, 30), ("ben@x",))]
    assert got == oracle_availability(people, t(9), t(10), rules)


def test_strict_rotation_has_no_fallback() -> None:
    people = [Participant("amy@x", busy=[(t(0), t(23))]), Participant("ben@x", last_booked_at=1)]
    rules = replace(r(30, method="max-fairness"), strict_rotation=True)
    got = compute_availability(people, t(9), t(10), rules)
    assert got.slots == [] and got.order == ["amy@x"]
    assert got == oracle_availability(people, t(9), t(10), rules)

"""Open hours: weekly rules, exdates, date overrides, only_specific, DST days, odd offsets."""

from datetime import date

import pytest

from slotwise.availability import (
    AvailabilityInputError,
    Participant,
    SpecificHours,
    WeeklyHours,
    open_windows,
)

from .helpers import ALL_DAYS, DAY, HOUR, WEEKDAYS, at, hm, wall

NY = "America/New_York"
SYD = "Australia/Sydney"


def spans_in(p: Participant, lo: int, hi: int, tz: str) -> list[tuple[str, str]]:
    return [(wall(a, tz), wall(b, tz)) for a, b in open_windows(p, lo, hi)]


def weekly(
    days: frozenset[int], start: str, end: str, tz: str, exdates: frozenset[date] = frozenset()
) -> WeeklyHours:
    return WeeklyHours(days, hm(start), hm(end), tz, exdates)


def test_weekdays_nine_to_five_in_new_york() -> None:
    p = Participant("a@x", open_hours=[weekly(WEEKDAYS, "9:00", "17:00", NY)])
    # Saturday 2024-05-04 .. Saturday 2024-05-11.
    got = open_windows(p, at(2024, 5, 4, tz=NY), at(2024, 5, 11, tz=NY))
    assert got == [(at(2024, 5, d, 9, tz=NY), at(2024, 5, d, 17, tz=NY)) for d in range(6, 11)]


def test_window_clips_open_hours() -> None:
    p = Participant("a@x", open_hours=[weekly(WEEKDAYS, "9:00", "17:00", "UTC")])
    got = open_windows(p, at(2024, 5, 6, 10), at(2024, 5, 7, 12))
    assert got == [
        (at(2024, 5, 6, 10), at(2024, 5, 6, 17)),
        (at(2024, 5, 7, 9), at(2024, 5, 7, 12)),
    ]


def test_empty_window() -> None:
    p = Participant("a@x")
    assert open_windows(p, 100, 100) == []
    assert open_windows(p, 100, 50) == []


def test_no_open_hours_means_always_open() -> None:
    assert open_windows(Participant("a@x"), 1000, 5000) == [(1000, 5000)]


def test_midnight_end_and_whole_days_join() -> None:
    p = Participant("a@x", open_hours=[weekly(ALL_DAYS, "0:00", "0:00", "UTC")])
    lo, hi = at(2024, 5, 6), at(2024, 5, 9)
    assert open_windows(p, lo, hi) == [(lo, hi)]
    late = Participant("a@x", open_hours=[weekly(ALL_DAYS, "22:00", "0:00", "UTC")])
    assert open_windows(late, lo, lo + DAY) == [(lo + 22 * HOUR, lo + DAY)]
    also = Participant("a@x", open_hours=[WeeklyHours(ALL_DAYS, hm("22:00"), 1440, "UTC")])
    assert open_windows(also, lo, lo + DAY) == [(lo + 22 * HOUR, lo + DAY)]


def test_end_before_start_is_empty() -> None:
    p = Participant("a@x", open_hours=[weekly(ALL_DAYS, "17:00", "9:00", "UTC")])
    assert open_windows(p, at(2024, 5, 6), at(2024, 5, 8)) == []


def test_exdates_drop_a_local_date() -> None:
    rule = weekly(WEEKDAYS, "9:00", "17:00", NY, exdates=frozenset({date(2024, 5, 7)}))
    got = spans_in(Participant("a@x", open_hours=[rule]), at(2024, 5, 6), at(2024, 5, 9), NY)
    assert [a[:10] for a, _ in got] == ["2024-05-06", "2024-05-08"]


def test_several_rules_add_up() -> None:
    p = Participant(
        "a@x",
        open_hours=[
            weekly(frozenset({0}), "9:00", "12:00", "UTC"),
            weekly(frozenset({0}), "11:00", "14:00", "UTC"),
            weekly(frozenset({0}), "15:00", "16:00", "UTC"),
        ],
    )
    got = open_windows(p, at(2024, 5, 6), at(2024, 5, 7))
    assert got == [
        (at(2024, 5, 6, 9), at(2024, 5, 6, 14)),
        (at(2024, 5, 6, 15), at(2024, 5, 6, 16)),
    ]


def test_specific_hours_replace_the_weekly_hours_of_their_date() -> None:
    p = Participant(
        "a@x",
        open_hours=[weekly(WEEKDAYS, "9:00", "17:00", "UTC")],
        specific=[SpecificHours(date(2024, 5, 7), hm("13:00"), hm("15:00"), "UTC")],
    )
    got = open_windows(p, at(2024, 5, 6), at(2024, 5, 9))
    assert got == [
        (at(2024, 5, 6, 9), at(2024, 5, 6, 17)),
        (at(2024, 5, 7, 13), at(2024, 5, 7, 15)),
        (at(2024, 5, 8, 9), at(2024, 5, 8, 17)),
    ]


def test_specific_hours_can_open_a_weekend_day_and_add_up() -> None:
    p = Participant(
        "a@x",
        open_hours=[weekly(WEEKDAYS, "9:00", "17:00", "UTC")],
        specific=[
            SpecificHours(date(2024, 5, 4), hm("10:00"), hm("11:00"), "UTC"),
            SpecificHours(date(2024, 5, 4), hm("14:00"), 0, "UTC"),  # end 0 = midnight
        ],
    )
    got = open_windows(p, at(2024, 5, 4), at(2024, 5, 5))
    assert got == [(at(2024, 5, 4, 10), at(2024, 5, 4, 11)), (at(2024, 5, 4, 14), at(2024, 5, 5))]


def test_midnight_to_midnight_override_closes_the_day() -> None:
    p = Participant(
        "a@x",
        open_hours=[weekly(WEEKDAYS, "9:00", "17:00", NY)],
        specific=[SpecificHours(date(2024, 5, 7), 0, 0, NY)],
    )
    got = spans_in(p, at(2024, 5, 6), at(2024, 5, 9), NY)
    assert [a[:10] for a, _ in got] == ["2024-05-06", "2024-05-08"]


def test_override_without_weekly_hours_limits_only_that_date() -> None:
    p = Participant("a@x", specific=[SpecificHours(date(2024, 5, 7), hm("9:00"), hm("10:00"), NY)])
    lo, hi = at(2024, 5, 6, tz=NY), at(2024, 5, 9, tz=NY)
    assert open_windows(p, lo, hi) == [
        (lo, at(2024, 5, 7, tz=NY)),
        (at(2024, 5, 7, 9, tz=NY), at(2024, 5, 7, 10, tz=NY)),
        (at(2024, 5, 8, tz=NY), hi),
    ]
    closed = Participant("a@x", specific=[SpecificHours(date(2024, 5, 7), 0, 0, NY)])
    assert open_windows(closed, lo, hi) == [
        (lo, at(2024, 5, 7, tz=NY)),
        (at(2024, 5, 8, tz=NY), hi),
    ]


def test_only_specific() -> None:
    rules = [weekly(ALL_DAYS, "9:00", "17:00", "UTC")]
    spec = [SpecificHours(date(2024, 5, 7), hm("13:00"), hm("15:00"), "UTC")]
    lo, hi = at(2024, 5, 6), at(2024, 5, 9)
    only = Participant("a@x", open_hours=rules, specific=spec, only_specific=True)
    assert open_windows(only, lo, hi) == [(at(2024, 5, 7, 13), at(2024, 5, 7, 15))]
    nothing = Participant("a@x", open_hours=rules, only_specific=True)
    assert open_windows(nothing, lo, hi) == []
    assert open_windows(Participant("a@x", only_specific=True), lo, hi) == []


@pytest.mark.parametrize(
    ("tz", "day", "start", "end", "expected"),
    [
        # New York spring forward (2024-03-10, 02:00 -> 03:00).
        (NY, date(2024, 3, 10), "1:00", "4:00", ("01:00-0500", "04:00-0400", 2)),
        (NY, date(2024, 3, 10), "2:30", "5:00", ("03:00-0400", "05:00-0400", 2)),
        (NY, date(2024, 3, 10), "9:00", "17:00", ("09:00-0400", "17:00-0400", 8)),
        (NY, date(2024, 3, 10), "0:00", "0:00", ("00:00-0500", "00:00-0400", 23)),
        # New York fall back (2024-11-03, 02:00 -> 01:00).
        (NY, date(2024, 11, 3), "1:00", "4:00", ("01:00-0400", "04:00-0500", 4)),
        (NY, date(2024, 11, 3), "1:30", "1:45", ("01:30-0400", "01:45-0400", 0.25)),
        (NY, date(2024, 11, 3), "0:00", "0:00", ("00:00-0400", "00:00-0500", 25)),
        # Sydney fall back (2024-04-07, 03:00 -> 02:00).
        (SYD, date(2024, 4, 7), "1:00", "4:00", ("01:00+1100", "04:00+1000", 4)),
        (SYD, date(2024, 4, 7), "2:15", "2:45", ("02:15+1100", "02:45+1100", 0.5)),
        # Sydney spring forward (2024-10-06, 02:00 -> 03:00).
        (SYD, date(2024, 10, 6), "1:00", "4:00", ("01:00+1000", "04:00+1100", 2)),
        (SYD, date(2024, 10, 6), "2:30", "3:30", ("03:00+1100", "03:30+1100", 0.5)),
        # Half- and quarter-hour zones.
        ("Asia/Kolkata", date(2024, 5, 6), "9:00", "17:00", ("09:00+0530", "17:00+0530", 8)),
        ("Asia/Kathmandu", date(2024, 5, 6), "9:00", "17:00", ("09:00+0545", "17:00+0545", 8)),
    ],
)
def test_dst_and_odd_offsets(
    tz: str, day: date, start: str, end: str, expected: tuple[str, str, float]
) -> None:
    p = Participant("a@x", open_hours=[weekly(frozenset({day.weekday()}), start, end, tz)])
    lo = at(day.year, day.month, day.day, tz=tz) - DAY
    got = open_windows(p, lo, lo + 3 * DAY)
    assert len(got) == 1
    (a, b) = got[0]
    assert (wall(a, tz)[11:], wall(b, tz)[11:], (b - a) / HOUR) == expected


def test_gap_only_window_is_empty() -> None:
    p = Participant("a@x", open_hours=[weekly(frozenset({6}), "2:00", "3:00", NY)])
    assert open_windows(p, at(2024, 3, 9), at(2024, 3, 12)) == []


def test_offsets_in_utc() -> None:
    kol = Participant("a@x", open_hours=[weekly(ALL_DAYS, "9:00", "17:00", "Asia/Kolkata")])
    ktm = Participant("a@x", open_hours=[weekly(ALL_DAYS, "9:00", "17:00", "Asia/Kathmandu")])
    lo, hi = at(2024, 5, 6), at(2024, 5, 7)
    assert open_windows(kol, lo, hi) == [(at(2024, 5, 6, 3, 30), at(2024, 5, 6, 11, 30))]
    assert open_windows(ktm, lo, hi) == [(at(2024, 5, 6, 3, 15), at(2024, 5, 6, 11, 15))]


def test_local_date_not_utc_date_decides_the_weekday() -> None:
    # Monday 08:00-10:00 in Sydney is Sunday 22:00-24:00 UTC.
    p = Participant("a@x", open_hours=[weekly(frozenset({0}), "8:00", "10:00", SYD)])
    assert open_windows(p, at(2024, 5, 5), at(2024, 5, 7)) == [(at(2024, 5, 5, 22), at(2024, 5, 6))]


def test_bad_zone_is_input_error() -> None:
    p = Participant("a@x", open_hours=[weekly(ALL_DAYS, "9:00", "17:00", "Nowhere/Land")])
    with pytest.raises(AvailabilityInputError):
        open_windows(p, 0, DAY)

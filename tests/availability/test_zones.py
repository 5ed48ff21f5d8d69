"""The DST policy and wall-clock rounding, on both changeovers in a northern and a southern zone."""

from datetime import date

import pytest

from slotwise.availability import AvailabilityInputError
from slotwise.availability.zones import Snapper, wall_to_utc, zone

from .helpers import MIN, at, wall

NY = "America/New_York"
SYD = "Australia/Sydney"


@pytest.mark.parametrize(
    ("tz", "day", "minute", "expected"),
    [
        # Ordinary readings.
        (NY, date(2024, 3, 9), 9 * 60, "2024-03-09 09:00-0500"),
        (NY, date(2024, 3, 9), 1440, "2024-03-10 00:00-0500"),
        # New York spring forward, 2024-03-10 02:00 EST -> 03:00 EDT: the gap moves forward
        # to the jump.
        (NY, date(2024, 3, 10), 2 * 60, "2024-03-10 03:00-0400"),
        (NY, date(2024, 3, 10), 2 * 60 + 30, "2024-03-10 03:00-0400"),
        (NY, date(2024, 3, 10), 2 * 60 + 59, "2024-03-10 03:00-0400"),
        (NY, date(2024, 3, 10), 3 * 60, "2024-03-10 03:00-0400"),
        (NY, date(2024, 3, 10), 1 * 60 + 59, "2024-03-10 01:59-0500"),
        # New York fall back, 2024-11-03 02:00 EDT -> 01:00 EST: first occurrence.
        (NY, date(2024, 11, 3), 1 * 60, "2024-11-03 01:00-0400"),
        (NY, date(2024, 11, 3), 1 * 60 + 30, "2024-11-03 01:30-0400"),
        (NY, date(2024, 11, 3), 2 * 60, "2024-11-03 02:00-0500"),
        # Sydney fall back, 2024-04-07 03:00 AEDT -> 02:00 AEST.
        (SYD, date(2024, 4, 7), 2 * 60 + 30, "2024-04-07 02:30+1100"),
        (SYD, date(2024, 4, 7), 3 * 60, "2024-04-07 03:00+1000"),
        # Sydney spring forward, 2024-10-06 02:00 AEST -> 03:00 AEDT.
        (SYD, date(2024, 10, 6), 2 * 60 + 15, "2024-10-06 03:00+1100"),
        (SYD, date(2024, 10, 6), 1 * 60 + 45, "2024-10-06 01:45+1000"),
    ],
)
def test_wall_to_utc_policy(tz: str, day: date, minute: int, expected: str) -> None:
    assert wall(wall_to_utc(zone(tz), day, minute), tz) == expected


def test_gap_lands_on_the_exact_jump() -> None:
    assert wall_to_utc(zone(NY), date(2024, 3, 10), 150) == at(2024, 3, 10, 7, 0)
    assert wall_to_utc(zone(SYD), date(2024, 10, 6), 135) == at(2024, 10, 5, 16, 0)


def test_unknown_zone() -> None:
    with pytest.raises(AvailabilityInputError):
        zone("Mars/Olympus_Mons")


def _snap(t: int, minutes: int, tz: str = "UTC") -> int:
    return Snapper(minutes * MIN, tz, t - 86400, t + 86400)(t)


@pytest.mark.parametrize(
    ("tz", "given", "minutes", "expected"),
    [
        ("UTC", (2024, 5, 6, 9, 5), 15, "09:15"),
        ("UTC", (2024, 5, 6, 16, 10), 30, "16:30"),
        ("UTC", (2024, 5, 6, 9, 15), 15, "09:15"),  # already on the grid: unchanged
        ("UTC", (2024, 5, 6, 23, 50), 15, "00:00"),
        # +05:30: 15-minute multiples are :00/:15/:30/:45 local, and whole hours are local too.
        ("Asia/Kolkata", (2024, 5, 6, 9, 5), 15, "09:15"),
        ("Asia/Kolkata", (2024, 5, 6, 9, 10), 60, "10:00"),
        # +05:45: half hours are local half hours (:15/:45 in UTC).
        ("Asia/Kathmandu", (2024, 5, 6, 9, 5), 30, "09:30"),
        ("Asia/Kathmandu", (2024, 5, 6, 9, 50), 15, "10:00"),
        # A step that does not divide the day restarts at local midnight.
        ("UTC", (2024, 5, 6, 23, 40), 25, "23:45"),
        ("UTC", (2024, 5, 6, 23, 46), 25, "00:00"),
        ("UTC", (2024, 5, 6, 0, 1), 25, "00:25"),
    ],
)
def test_snap_in_wall_clock(
    tz: str, given: tuple[int, int, int, int, int], minutes: int, expected: str
) -> None:
    got = _snap(at(*given, tz=tz), minutes, tz)
    assert wall(got, tz)[11:16] == expected


def test_snap_zone_matters() -> None:
    t = at(2024, 5, 6, 9, 10, tz="Asia/Kolkata")  # 03:40 UTC
    assert wall(_snap(t, 60, "UTC"), "Asia/Kolkata") == "2024-05-06 09:30+0530"
    assert wall(_snap(t, 60, "Asia/Kolkata"), "Asia/Kolkata") == "2024-05-06 10:00+0530"
    k = at(2024, 5, 6, 9, 5, tz="Asia/Kathmandu")
    assert wall(_snap(k, 30, "UTC"), "Asia/Kathmandu") == "2024-05-06 09:15+0545"


@pytest.mark.parametrize(
    ("given", "minutes", "expected"),
    [
        # Spring forward: 02:00 never shows; the jump to 03:00 is the next multiple.
        ((2024, 3, 10, 1, 50, 0), 15, "2024-03-10 03:00-0400"),
        # With 25 minutes, 02:05 does not exist; 03:00 is not a multiple, 03:20 is.
        ((2024, 3, 10, 1, 50, 0), 25, "2024-03-10 03:20-0400"),
        # Fall back: after 01:50 EDT the clock reads 01:00 EST, a multiple.
        ((2024, 11, 3, 1, 50, 0), 15, "2024-11-03 01:00-0500"),
        ((2024, 11, 3, 1, 50, 1), 15, "2024-11-03 02:00-0500"),
        ((2024, 11, 3, 1, 5, 1), 15, "2024-11-03 01:15-0500"),
    ],
)
def test_snap_across_new_york_changes(
    given: tuple[int, int, int, int, int, int], minutes: int, expected: str
) -> None:
    y, mo, d, h, mi, fold = given
    assert wall(_snap(at(y, mo, d, h, mi, tz=NY, fold=fold), minutes, NY), NY) == expected


def test_snap_across_sydney_changes() -> None:
    # Fall back 03:00 AEDT -> 02:00 AEST: after 02:50 AEDT comes 02:00 AEST.
    t = at(2024, 4, 7, 2, 50, tz=SYD)
    assert wall(_snap(t, 15, SYD), SYD) == "2024-04-07 02:00+1000"
    # Spring forward 02:00 AEST -> 03:00 AEDT.
    t = at(2024, 10, 6, 1, 55, tz=SYD)
    assert wall(_snap(t, 30, SYD), SYD) == "2024-10-06 03:00+1100"


def test_no_rounding() -> None:
    t = at(2024, 5, 6, 9, 7) + 13
    assert Snapper(0, "UTC", t, t)(t) == t
    assert Snapper(1, NY, t, t)(t) == t

"""The two named gap policies of the one time-zone module, and its shared fold policy.

Each changeover is checked in a northern zone (New York, Berlin), a southern one (Sydney,
Santiago, whose clocks change at midnight) and a +05:45 zone without changes (Kathmandu).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from slotwise.availability import AvailabilityInputError, zones
from slotwise.availability.zones import Gap


def _read(day: date, minute: int, tz: str, gap: Gap) -> str:
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    instant = zones.to_epoch(naive, zones.zone(tz), gap)
    return datetime.fromtimestamp(instant, zones.zone(tz)).strftime("%Y-%m-%d %H:%M%z")


@pytest.mark.parametrize(
    ("tz", "day", "minute", "to_jump", "shift"),
    [
        # Spring forward: the skipped 02:30 goes to the jump, or an hour on (RFC 5545).
        (
            "America/New_York",
            date(2026, 3, 8),
            150,
            "2026-03-08 03:00-0400",
            "2026-03-08 03:30-0400",
        ),
        ("Europe/Berlin", date(2026, 3, 29), 150, "2026-03-29 03:00+0200", "2026-03-29 03:30+0200"),
        (
            "Australia/Sydney",
            date(2026, 10, 4),
            150,
            "2026-10-04 03:00+1100",
            "2026-10-04 03:30+1100",
        ),
        (
            "America/Santiago",
            date(2026, 9, 6),
            30,
            "2026-09-06 01:00-0300",
            "2026-09-06 01:30-0300",
        ),
        # Santiago's skipped midnight: the day starts at 01:00 under both.
        ("America/Santiago", date(2026, 9, 6), 0, "2026-09-06 01:00-0300", "2026-09-06 01:00-0300"),
        # Fall back: a repeated reading is its first occurrence, under both.
        (
            "America/New_York",
            date(2026, 11, 1),
            90,
            "2026-11-01 01:30-0400",
            "2026-11-01 01:30-0400",
        ),
        (
            "Europe/Berlin",
            date(2026, 10, 25),
            150,
            "2026-10-25 02:30+0200",
            "2026-10-25 02:30+0200",
        ),
        (
            "Australia/Sydney",
            date(2026, 4, 5),
            150,
            "2026-04-05 02:30+1100",
            "2026-04-05 02:30+1100",
        ),
        (
            "America/Santiago",
            date(2026, 4, 4),
            1410,
            "2026-04-04 23:30-0300",
            "2026-04-04 23:30-0300",
        ),
        # No changeover: both are the plain reading, quarter-hour offsets included.
        ("Asia/Kathmandu", date(2026, 3, 8), 150, "2026-03-08 02:30+0545", "2026-03-08 02:30+0545"),
        (
            "America/New_York",
            date(2026, 3, 7),
            150,
            "2026-03-07 02:30-0500",
            "2026-03-07 02:30-0500",
        ),
    ],
)
def test_gap_policies(tz: str, day: date, minute: int, to_jump: str, shift: str) -> None:
    assert _read(day, minute, tz, Gap.TO_JUMP) == to_jump
    assert _read(day, minute, tz, Gap.SHIFT) == shift


def test_open_hours_and_event_times_use_their_policies() -> None:
    ny = zones.zone("America/New_York")
    gap = datetime(2026, 3, 8, 2, 30)
    assert zones.wall_to_utc(ny, date(2026, 3, 8), 150) == zones.to_epoch(gap, ny, Gap.TO_JUMP)
    assert zones.local_to_epoch(gap, ny) == zones.to_epoch(gap, ny, Gap.SHIFT)
    # SHIFT reads the gap time with the offset before it: an hour after 01:30 EST.
    assert (
        zones.local_to_epoch(gap, ny) - zones.local_to_epoch(datetime(2026, 3, 8, 1, 30), ny)
        == 3600
    )


def test_day_span_on_a_short_and_a_long_day() -> None:
    ny = zones.zone("America/New_York")
    start, end = zones.day_span(date(2026, 3, 8), date(2026, 3, 8), ny)
    assert end - start == 23 * 3600
    start, end = zones.day_span(date(2026, 11, 1), date(2026, 11, 1), ny)
    assert end - start == 25 * 3600


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../etc/passwd", "/etc/localtime", ""])
def test_names_come_from_the_zone_database(name: str) -> None:
    assert not zones.is_zone(name)
    if name:
        with pytest.raises(AvailabilityInputError):
            zones.zone(name)


def test_no_name_is_utc() -> None:
    assert zones.zone(None).key == "UTC"

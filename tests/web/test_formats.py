"""The guest's clock: which locale Accept-Language picks, 12- or 24-hour, dates with or
without the year, across a DST change. Pure functions, no server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from slotwise.web.formats import clock_for, locale_from_header

NOW = int(datetime(2026, 12, 2, 12, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("en;q=0.5, ja-JP", "ja_JP"),  # the higher q wins, not the first
        ("xx-YY, fr-CA;q=0.7", "fr_CA"),  # an unknown tag is skipped
        ("*", "en_US"),
        ("", "en_US"),
        (None, "en_US"),
        ("de;q=0, es", "es"),  # q=0 means "not this one"
        ("en-US;q=abc, de", "de"),  # a broken q reads as 0
        ("a" * 100_000, "en_US"),  # a hostile header costs a bounded read
        (",".join(["zz"] * 1000) + ",de", "en_US"),  # only the first tags are looked at
    ],
)
def test_locale_from_accept_language(header: str | None, expected: str) -> None:
    assert str(locale_from_header(header)) == expected


@pytest.mark.parametrize(
    ("header", "hour12", "label"),
    [
        ("en-US", True, "2:30 PM"),
        ("en-GB", False, "14:30"),
        ("de-DE", False, "14:30"),
        ("ja-JP", False, "14:30"),
    ],
)
def test_the_locale_decides_the_clock(header: str, hour12: bool, label: str) -> None:
    clock = clock_for(header, None, NOW, "UTC")
    assert clock.hour12 is hour12
    at = int(datetime(2026, 12, 4, 14, 30, tzinfo=UTC).timestamp())
    assert clock.time(at, "UTC") == label


def test_the_guest_switch_wins_and_anything_else_is_ignored() -> None:
    assert clock_for("en-US", "24", NOW, "UTC").hour12 is False
    assert clock_for("de-DE", "12", NOW, "UTC").hour12 is True
    assert clock_for("de-DE", "13", NOW, "UTC").hour12 is False


def test_dates_carry_the_weekday_and_the_year_only_when_it_is_another() -> None:
    clock = clock_for("en-US", None, NOW, "UTC")
    assert clock.day(date(2026, 12, 4)) == "Friday, December 4"
    assert clock.day(date(2027, 1, 4)) == "Monday, January 4, 2027"
    german = clock_for("de-DE", None, NOW, "UTC")
    assert german.day(date(2026, 12, 4)) == "Freitag, 4. Dezember"
    assert german.day(date(2027, 1, 4)) == "Montag, 4. Januar 2027"
    spanish = clock_for("es-ES", None, NOW, "UTC")
    assert spanish.day(date(2026, 12, 4)) == "viernes, 4 de diciembre"
    japanese = clock_for("ja-JP", None, NOW, "UTC")
    assert japanese.day(date(2027, 1, 4)) == "2027年1月4日月曜日"


def test_the_current_year_is_the_guests() -> None:
    """At 23:30 UTC on New Year's Eve it is already next year in Tokyo."""
    eve = int(datetime(2026, 12, 31, 23, 30, tzinfo=UTC).timestamp())
    assert clock_for("en-US", None, eve, "Asia/Tokyo").this_year == 2027
    assert clock_for("en-US", None, eve, "America/New_York").this_year == 2026


def test_times_across_a_dst_change() -> None:
    clock = clock_for("en-US", None, NOW, "UTC")
    before = int(datetime(2027, 3, 13, 14, tzinfo=UTC).timestamp())
    after = int(datetime(2027, 3, 15, 14, tzinfo=UTC).timestamp())
    assert clock.time(before, "America/New_York") == "9:00 AM"  # EST, UTC-5
    assert clock.time(after, "America/New_York") == "10:00 AM"  # EDT, UTC-4
    assert clock.when(after, after + 1800, "America/New_York").endswith("10:00 AM – 10:30 AM")

"""Small builders that keep the table tests readable: local wall-clock times in, epochs out."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from slotwise.availability import AvailabilityResult, Slot

MIN = 60
HOUR = 3600
DAY = 86400
ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
# Days just before a changeover (New York spring/fall, Sydney fall/spring) and a plain day.
BASE_DAYS = [
    date(2024, 3, 9),
    date(2024, 11, 2),
    date(2024, 4, 6),
    date(2024, 10, 5),
    date(2024, 5, 6),
]


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: str = "UTC", fold: int = 0) -> int:
    """Epoch seconds of a wall-clock reading (``fold=1`` picks a fall-back repeat)."""
    return int(datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz), fold=fold).timestamp())


def hm(text: str) -> int:
    """Minutes after midnight of "H:MM"."""
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def wall(t: int, tz: str = "UTC") -> str:
    """Local reading of an instant, with its offset, e.g. "2024-11-03 01:00-05:00"."""
    return datetime.fromtimestamp(t, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M%z")


def clock(t: int, tz: str = "UTC") -> str:
    return datetime.fromtimestamp(t, ZoneInfo(tz)).strftime("%H:%M")


def starts(result: AvailabilityResult | list[Slot], tz: str = "UTC") -> list[str]:
    slots = result.slots if isinstance(result, AvailabilityResult) else result
    return [clock(s.start, tz) for s in slots]

"""IANA time zone names, validated against the zone database (never a file path)."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from slotwise.errors import field_error


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in _known()


def zone(name: str | None) -> tzinfo:
    """The zone for a name already validated (None means UTC)."""
    if not name or name == "UTC":
        return UTC
    return zoneinfo.ZoneInfo(name)


def check_zone(field: str, name: object) -> str:
    """Return `name` if it is a known IANA zone, else a 400 naming `field`."""
    if not isinstance(name, str):
        raise field_error(field, "expected an IANA time zone name")
    if not is_zone(name):
        raise field_error(field, f"unknown IANA time zone {name!r}")
    return name


def local_to_epoch(value: datetime, tz: tzinfo) -> int:
    """Wall-clock time in `tz` to epoch seconds (a time in a DST gap moves forward; an
    ambiguous time takes its first occurrence)."""
    aware = value.replace(tzinfo=tz, fold=0)
    # zoneinfo gives a gap time the offset from before the change, which moves it forward.
    return int(aware.timestamp())


def midnight(day: date, tz: tzinfo) -> int:
    return local_to_epoch(datetime.combine(day, time()), tz)


def epoch_to_local(ts: int, tz: tzinfo) -> datetime:
    """Epoch seconds to naive wall-clock time in `tz`."""
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def day_span(first: date, last: date, tz: tzinfo) -> tuple[int, int]:
    """[midnight of `first`, midnight after `last`) in `tz`."""
    return midnight(first, tz), midnight(last + timedelta(days=1), tz)

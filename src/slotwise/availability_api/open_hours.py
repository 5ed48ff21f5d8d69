"""Open-hours shapes of each face, converted to the engine's WeeklyHours / SpecificHours.

Day numbering differs by face: v3 counts 0 = Sunday, v2 counts 0 = Monday (seed 003); the
engine uses date.weekday() (0 = Monday). Times are "H:MM" with or without the leading zero.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import orjson

from slotwise.availability import SpecificHours, WeeklyHours
from slotwise.errors import field_error
from slotwise.validation import check_zone

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")

# Rules already read, by their JSON text and face: a team's participants mostly share a few
# rules, and a page asks again and again. Reading one (clock times, days, zone) was half of
# validating a 50-person request. The values are frozen, so one may serve many requests; a
# rule that fails is never kept (its message names the field it came in). Bounded by
# emptying: no one request holds more than fields.MAX_PARTICIPANTS of them.
_READ_RULES: dict[tuple[bytes, bool, str | None], WeeklyHours] = {}
_READ_RULES_KEPT = 4096


def clock_minutes(field: str, value: Any, *, end: bool = False) -> int:
    """Minutes after midnight of "H:MM"; an end of "0:00"/"24:00" is the midnight ending the day."""
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise field_error(field, f"expected a time as H:MM, got {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise field_error(field, f"{value!r} is not a time of day")
    total = hours * 60 + minutes
    if total == 1440 and not end:
        raise field_error(field, "a start time must be before 24:00")
    return total


def _day_numbers(field: str, days: Any, *, sunday_first: bool) -> frozenset[int]:
    if not isinstance(days, list):
        raise field_error(field, "expected a list of day numbers 0-6")
    out = set()
    for i, day in enumerate(days):
        # The v2 seed sends digit strings ("0"); accept them beside integers.
        if isinstance(day, str) and day.strip().isdigit():
            day = int(day.strip())
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise field_error(f"{field}[{i}]", f"expected a day number 0-6, got {day!r}")
        out.add((day + 6) % 7 if sunday_first else day)
    return frozenset(out)


def _exdates(field: str, values: Any) -> frozenset[date]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise field_error(field, "expected a list of YYYY-MM-DD dates")
    return frozenset(parse_date(f"{field}[{i}]", v) for i, v in enumerate(values))


def parse_date(field: str, value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise field_error(field, f"expected a YYYY-MM-DD date, got {value!r}") from None


def weekly_hours(
    field: str, rule: Any, *, sunday_first: bool, default_timezone: str | None
) -> WeeklyHours:
    """One open-hours rule of either face."""
    key = _rule_key(rule, sunday_first, default_timezone)
    found = _READ_RULES.get(key) if key is not None else None
    if found is None:
        found = _read_weekly_hours(
            field, rule, sunday_first=sunday_first, default_timezone=default_timezone
        )
        if key is not None:
            if len(_READ_RULES) >= _READ_RULES_KEPT:
                _READ_RULES.clear()
            _READ_RULES[key] = found
    return found


def _rule_key(
    rule: Any, sunday_first: bool, default_timezone: str | None
) -> tuple[bytes, bool, str | None] | None:
    """A rule's identity as JSON text (which tells 1 from true and from "1"), or None for what
    is not kept: not an object, not writable as JSON (an integer beyond 64 bits), or holding
    a NaN or an infinity, which orjson writes as null like a None."""
    if not isinstance(rule, dict):
        return None
    try:
        text = orjson.dumps(rule, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    if b"null" in text and _non_finite(rule):
        return None
    return text, sunday_first, default_timezone


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_non_finite(v) for v in value)
    return False


def _read_weekly_hours(
    field: str, rule: Any, *, sunday_first: bool, default_timezone: str | None
) -> WeeklyHours:
    if not isinstance(rule, dict):
        raise field_error(field, "expected an object")
    zone = rule.get("timezone") or default_timezone
    if zone is None:
        raise field_error(f"{field}.timezone", "is required")
    start = clock_minutes(f"{field}.start", rule.get("start"))
    end = clock_minutes(f"{field}.end", rule.get("end"), end=True)
    if end != 0 and end <= start:
        raise field_error(f"{field}.end", "must be after start")
    return WeeklyHours(
        days=_day_numbers(f"{field}.days", rule.get("days"), sunday_first=sunday_first),
        start_minute=start,
        end_minute=end,
        timezone=check_zone(f"{field}.timezone", zone),
        exdates=_exdates(f"{field}.exdates", rule.get("exdates")),
    )


def specific_hours(field: str, entry: Any, *, default_timezone: str | None) -> SpecificHours:
    """A date override; 00:00-00:00 closes the date."""
    if not isinstance(entry, dict):
        raise field_error(field, "expected an object")
    zone = entry.get("timezone") or default_timezone or "UTC"
    start = clock_minutes(f"{field}.start", entry.get("start"))
    end = clock_minutes(f"{field}.end", entry.get("end"), end=True)
    if end != 0 and end <= start:
        raise field_error(f"{field}.end", "must be after start")
    return SpecificHours(
        date=parse_date(f"{field}.date", entry.get("date")),
        start_minute=start,
        end_minute=end,
        timezone=check_zone(f"{field}.timezone", zone),
    )

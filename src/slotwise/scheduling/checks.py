"""The rules a configuration's values must satisfy (reference §3), one value at a time.

`scheduling.schemas.NewConfiguration` applies them, field by field, to what a client sends;
the v2 page model (`pages.schemas`) shares the ones its format has in common. Each rule takes
the field it reports and raises a field-named InvalidRequest; inside a model the field is left
empty (`rule`) and pydantic's location names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from pydantic import BeforeValidator

from slotwise.documents import ROUND_ROBIN_METHODS
from slotwise.errors import field_error
from slotwise.validation import (
    MAX_EPOCH,
    check_http_url,
    check_line,
    check_text,
    check_zone,
    checked,
    whole_number,
)

METHODS = frozenset({"collective"}) | ROUND_ROBIN_METHODS
BOOKING_TYPES = frozenset({"booking", "organizer-confirmation"})
FIELD_TYPES = frozenset(
    {
        "text",
        "multi_line_text",
        "email",
        "phone_number",
        "dropdown",
        "date",
        "checkbox",
        "radio_button",
        "multi_select",
        "metadata",
    }
)
TYPES_WITH_OPTIONS = frozenset({"dropdown", "radio_button", "multi_select"})
REMINDER_TYPES = frozenset({"email", "webhook"})
REMINDER_RECIPIENTS = frozenset({"all", "host", "guest"})
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$")
HHMM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")

MAX_DURATION_MINUTES = 24 * 60
MAX_DAYS_IN_FUTURE = 366
MAX_NAME = 320  # bookings.organizer_name
MAX_GROUP_ID = 500  # configurations.round_robin_group_id
# Booking limits (scheduling.limits): counts per period, minutes per day and week.
MAX_BOOKINGS_PER_PERIOD = 10_000
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# How a string's characters are judged: one line (names, titles, subjects: they reach email
# headers and invites), free text (descriptions, bodies), or only its length (v2 pages' texts).
Lines = Literal["line", "text", "any"]


def rule(check: Callable[..., Any], *args: Any, **kwargs: Any) -> BeforeValidator:
    """A `check(field, value, *args)` as a model field's validator: the value is checked as
    sent and kept; the error names the field where pydantic finds it."""

    def validate(value: Any) -> Any:
        checked(check, "", value, *args, **kwargs)
        return value

    return BeforeValidator(validate)


def unix_seconds(field: str, value: Any) -> int:
    """Unix seconds from a JSON number or a numeric string (as the SDKs send them)."""
    if isinstance(value, bool) or value is None:
        raise field_error(field, "is required (Unix seconds)")
    number: float | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | str):
        try:
            number = float(value) if isinstance(value, str) else value
        except ValueError:
            raise field_error(field, f"expected Unix seconds, got {value!r}") from None
    else:
        raise field_error(field, f"expected Unix seconds, got {value!r}")
    if number != number or not 0 <= number <= MAX_EPOCH:  # NaN, infinities, out of range
        raise field_error(field, f"expected Unix seconds between 0 and {MAX_EPOCH}")
    return int(number)


def hhmm_minutes(field: str, value: Any) -> int:
    """ "H:MM" or "HH:MM" as minutes after midnight; "24:00" is the end of the day."""
    match = HHMM_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise field_error(field, f'expected a time like "9:00", got {value!r}')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise field_error(field, f"not a time of day: {value!r}")
    return hours * 60 + minutes


def span_start(field: str, value: Any) -> None:
    """The `start` of an open-hours entry: a time of day before 24:00."""
    if hhmm_minutes(field, value) >= 24 * 60:
        raise field_error(field, "must be before 24:00")


def span_end(field: str, value: Any, start: Any) -> None:
    """The `end` of an open-hours entry, after its `start` (None if that was refused); an end
    of "0:00" or "24:00" is the midnight that ends the day."""
    end = hhmm_minutes(field, value)
    if isinstance(start, str) and end not in (0, 24 * 60) and end <= hhmm_minutes(field, start):
        raise field_error(field, "must be after start")


def check_date(field: str, value: Any) -> None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise field_error(field, f"expected a date YYYY-MM-DD, got {value!r}") from None


def check_int(
    field: str,
    value: Any,
    *,
    lo: int | None = None,
    hi: int | None = None,
    multiple_of: int | None = None,
    required: bool = False,
) -> int | None:
    """A whole number in [lo, hi] on the `multiple_of` grid, or None if absent."""
    if value is None and required:
        raise field_error(field, "is required")
    number = whole_number(field, value)
    if number is None:
        return None
    if lo is not None and number < lo:
        raise field_error(field, f"must be at least {lo}, got {number}")
    if hi is not None and number > hi:
        raise field_error(field, f"must be at most {hi}, got {number}")
    if multiple_of and number % multiple_of:
        raise field_error(field, f"must be a multiple of {multiple_of}, got {number}")
    return number


def check_bool(field: str, value: Any) -> None:
    """A JSON true or false, or absent."""
    if value is not None and not isinstance(value, bool):
        raise field_error(field, "expected true or false")


def check_string(
    field: str,
    value: Any,
    *,
    required: bool = False,
    most: int | None = None,
    lines: Lines = "line",
) -> None:
    """A string (or None unless required), at most `most` characters, its characters judged
    as `lines` says."""
    if value is None:
        if required:
            raise field_error(field, "is required")
        return
    if not isinstance(value, str):
        raise field_error(field, "expected a string")
    if required and not value.strip():
        raise field_error(field, "must not be empty")
    if most is not None and len(value) > most:
        raise field_error(field, f"must be at most {most} characters")
    if lines == "line":
        check_line(field, value)
    elif lines == "text":
        check_text(field, value)


def check_one_of(field: str, value: Any, allowed: frozenset[str], *, required: bool) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or value not in allowed:
        raise field_error(field, f"must be one of {sorted(allowed)}")


def optional_zone(field: str, value: Any) -> None:
    if value is not None:
        check_zone(field, value)


def check_slug(field: str, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not SLUG_RE.match(value)):
        raise field_error(field, "use letters, digits, '-' and '_' only (at most 200)")


def check_pattern(
    field: str, value: Any, *, most: int | None = None, lines: Lines = "line"
) -> None:
    """A regular expression a guest's answer must match (an empty one matches anything)."""
    check_string(field, value, most=most, lines=lines)
    if value:
        try:
            re.compile(value)
        except re.error as exc:
            raise field_error(field, f"not a regular expression ({exc})") from None


def check_appearance(field: str, value: Any) -> None:
    """User-defined keys, shown by the booking UI: one-line strings; `…url` ones are links."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise field_error(field, "expected an object")
    for key, item in value.items():
        check_line(field, key)
        if isinstance(item, str):
            if str(key).lower().endswith("url"):
                check_http_url(f"{field}.{key}", item)
            else:
                check_line(f"{field}.{key}", item)

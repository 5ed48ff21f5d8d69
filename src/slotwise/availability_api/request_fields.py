"""Reading request fields by hand, so every error names the field and the problem."""

from __future__ import annotations

from typing import Any

from slotwise.errors import field_error
from slotwise.validation import MAX_EPOCH, check_window

MAX_PARTICIPANTS = 50


def integer(
    body: dict[str, Any],
    name: str,
    *,
    required: bool = True,
    allow_string: bool = False,
    field: str | None = None,
) -> int | None:
    """An integer field; v2 bodies may carry timestamps as digit strings."""
    field = field or name
    value = body.get(name)
    if value is None:
        if required:
            raise field_error(field, "is required")
        return None
    if allow_string and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise field_error(field, f"expected an integer, got {value!r}")
    return value


def required_int(body: dict[str, Any], name: str, **kwargs: Any) -> int:
    value = integer(body, name, required=True, **kwargs)
    assert value is not None
    return value


def minutes_multiple_of_5(field: str, value: int | None, *, allow_zero: bool = False) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not allow_zero) or value % 5:
        kind = "a non-negative" if allow_zero else "a positive"
        raise field_error(field, f"must be {kind} multiple of 5, got {value}")


def window(start: int, end: int) -> None:
    if not 0 <= start <= MAX_EPOCH:
        raise field_error("start_time", "is out of range")
    if not 0 <= end <= MAX_EPOCH:
        raise field_error("end_time", "is out of range")
    check_window(start, end)


def email_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise field_error(field, "expected a non-empty list of email addresses")
    out: list[str] = []
    seen: set[str] = set()
    for i, email in enumerate(value):
        if not isinstance(email, str) or "@" not in email:
            raise field_error(f"{field}[{i}]", f"expected an email address, got {email!r}")
        if email.lower() in seen:
            raise field_error(f"{field}[{i}]", f"{email} is listed twice")
        seen.add(email.lower())
        out.append(email)
    if len(out) > MAX_PARTICIPANTS:
        raise field_error(field, f"at most {MAX_PARTICIPANTS} participants are allowed")
    return out


def obj(field: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise field_error(field, "expected an object")
    return value


def array(field: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise field_error(field, "expected a list")
    return value


def boolean(field: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise field_error(field, f"expected true or false, got {value!r}")


MAX_EXPLAINED_TIMES = 200
# An explained start needs its local dates and the days around them to exist in the calendar
# (year 9999 is the last), so the last week of the epoch range is refused.
LAST_EXPLAINED_TIME = MAX_EPOCH - 8 * 86400
# Each time is explained day by day over its length: a meeting longer than a month is refused.
MAX_EXPLAINED_MINUTES = 31 * 1440


def time_list(field: str, value: Any) -> list[int]:
    """The start times to explain: 1 to `MAX_EXPLAINED_TIMES` Unix seconds, each named by
    its index when wrong."""
    if not isinstance(value, list) or not value:
        raise field_error(field, "expected a non-empty list of Unix times")
    if len(value) > MAX_EXPLAINED_TIMES:
        raise field_error(field, f"at most {MAX_EXPLAINED_TIMES} times are allowed")
    out: list[int] = []
    for i, item in enumerate(value):
        number = integer({"t": item}, "t", allow_string=True, field=f"{field}[{i}]")
        if number is None or not 0 <= number <= LAST_EXPLAINED_TIME:
            raise field_error(
                f"{field}[{i}]", f"expected Unix seconds between 0 and {LAST_EXPLAINED_TIME}"
            )
        out.append(number)
    return out

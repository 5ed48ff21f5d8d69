"""The four v3 `when` shapes: read them (inferring the shape from the keys) and turn them into
a half-open busy span of epoch seconds.

- time      {time, timezone?}                                  → [time, time)
- timespan  {start_time, end_time, start_timezone?, end_timezone?} → [start_time, end_time)
- date      {date}                                             → that day
- datespan  {start_date, end_date (inclusive)}                 → those days

All-day spans run from midnight to midnight in the calendar's time zone, or in UTC when the
calendar has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slotwise.availability import zones
from slotwise.errors import field_error
from slotwise.validation import MAX_EPOCH, check_zone

SHAPES = ("time", "timespan", "date", "datespan")
_KEYS = {
    "time": {"time", "timezone"},
    "timespan": {"start_time", "end_time", "start_timezone", "end_timezone"},
    "date": {"date"},
    "datespan": {"start_date", "end_date"},
}


@dataclass(frozen=True)
class When:
    data: dict[str, Any]  # the wire object, `object` included
    start: int
    end: int
    timezone: str | None  # zone for wall-clock arithmetic (recurrence); None = UTC

    @property
    def shape(self) -> str:
        return str(self.data["object"])

    @property
    def all_day(self) -> bool:
        return self.shape in ("date", "datespan")


def _infer(raw: dict[str, Any]) -> str:
    given = raw.get("object")
    if given is not None:
        if given not in SHAPES:
            raise field_error("when.object", f"expected one of {', '.join(SHAPES)}")
        return str(given)
    keys = {k for k, v in raw.items() if v is not None}
    if "time" in keys:
        return "time"
    if keys & {"start_time", "end_time"}:
        return "timespan"
    if "date" in keys:
        return "date"
    if keys & {"start_date", "end_date"}:
        return "datespan"
    raise field_error(
        "when", "expected start_time and end_time, time, date, or start_date and end_date"
    )


def _epoch(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    if value is None:
        raise field_error(f"when.{key}", "is required")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise field_error(f"when.{key}", "expected a Unix timestamp in seconds")
    if isinstance(value, float) and not value.is_integer():
        raise field_error(f"when.{key}", "expected a whole number of seconds")
    if not 0 <= value <= MAX_EPOCH:
        raise field_error(f"when.{key}", "is out of range")
    return int(value)


def _day(raw: dict[str, Any], key: str) -> date:
    value = raw.get(key)
    if value is None:
        raise field_error(f"when.{key}", "is required")
    if not isinstance(value, str) or len(value) != 10:
        raise field_error(f"when.{key}", "expected a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise field_error(f"when.{key}", "expected a date as YYYY-MM-DD") from None
    if day.year < 1970 or day.year > 9998:
        raise field_error(f"when.{key}", "is out of range")
    return day


def _zone(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    return check_zone(f"when.{key}", value)


def parse_when(raw: Any, calendar_timezone: str | None) -> When:
    if not isinstance(raw, dict):
        raise field_error("when", "expected an object")
    shape = _infer(raw)
    unknown = {k for k, v in raw.items() if v is not None} - _KEYS[shape] - {"object"}
    if unknown:
        raise field_error(f"when.{sorted(unknown)[0]}", f"is not a field of a {shape} `when`")
    if shape == "time":
        at = _epoch(raw, "time")
        tz = _zone(raw, "timezone")
        data: dict[str, Any] = {"object": "time", "time": at}
        if tz:
            data["timezone"] = tz
        return When(data, at, at, tz or calendar_timezone)
    if shape == "timespan":
        start, end = _epoch(raw, "start_time"), _epoch(raw, "end_time")
        if end < start:
            raise field_error("when.end_time", "is before when.start_time")
        start_tz, end_tz = _zone(raw, "start_timezone"), _zone(raw, "end_timezone")
        data = {"object": "timespan", "start_time": start, "end_time": end}
        if start_tz:
            data["start_timezone"] = start_tz
        if end_tz:
            data["end_timezone"] = end_tz
        return When(data, start, end, start_tz or end_tz or calendar_timezone)
    local = zones.zone(calendar_timezone)
    if shape == "date":
        day = _day(raw, "date")
        start, end = zones.day_span(day, day, local)
        return When({"object": "date", "date": day.isoformat()}, start, end, calendar_timezone)
    first, last = _day(raw, "start_date"), _day(raw, "end_date")
    if last < first:
        raise field_error("when.end_date", "is before when.start_date")
    start, end = zones.day_span(first, last, local)
    data = {"object": "datespan", "start_date": first.isoformat(), "end_date": last.isoformat()}
    return When(data, start, end, calendar_timezone)

"""Recurring events: RRULE / RDATE / EXDATE lines expanded into instances.

Rules expand in wall-clock time in the event's zone (so a weekly 09:00 stays at 09:00 across
DST changes), then each instance is converted to epoch seconds. Timed instances keep the
master's elapsed duration; all-day instances keep its number of days.

UNTIL and EXDATE values may be given in UTC (`Z`), with a TZID, as floating local times, or as
dates; all are brought into the event's wall-clock time first, which also spares dateutil's
rule that UNTIL must match DTSTART's awareness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice

from dateutil import rrule

from slotwise import zones
from slotwise.errors import SlotwiseError
from slotwise.validation import MAX_EPOCH

# No sub-daily frequencies: a calendar series of those would swamp every busy query.
ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# Instances looked at per master and per read, and when computing where a series ends.
MAX_INSTANCES = 10_000

# The Gregorian calendar (leap years and weekdays) repeats every 400 years, so a rule that
# yields nothing over that long never will.
_CYCLE_YEARS = 400

_VALUE = re.compile(r"^(\d{8})(?:T(\d{6})(Z)?)?$")


class RecurrenceError(ValueError):
    def __init__(self, index: int, problem: str) -> None:
        super().__init__(f"recurrence[{index}]: {problem}")
        self.index = index


@dataclass
class Series:
    """A parsed recurrence for one master event."""

    dtstart: datetime  # naive wall-clock time in `tz`
    tz: tzinfo
    duration: int  # seconds (timed events)
    all_day_days: int | None  # number of days (all-day events), else None
    rules: rrule.rruleset = field(repr=False)
    ex_days: set[date] = field(default_factory=set)
    bounded: bool = True  # every RRULE has COUNT or UNTIL

    def instance_span(self, local_start: datetime) -> tuple[int, int]:
        start = zones.local_to_epoch(local_start, self.tz)
        if self.all_day_days is not None:
            return start, zones.midnight(local_start.date() + timedelta(self.all_day_days), self.tz)
        return start, start + self.duration

    def _starts(self, after: datetime, before: datetime) -> list[datetime]:
        found = islice(self.rules.xafter(after, inc=True), MAX_INSTANCES)
        out = []
        for local in found:
            if local > before:
                break
            if local.date() in self.ex_days:
                continue
            out.append(local)
        return out

    def between(self, start: int, end: int) -> list[tuple[int, int]]:
        """Instances overlapping [start, end), as (start, end) epoch pairs in start order.

        A zero-length instance counts when it lies inside the window.
        """
        reach = self.duration if self.all_day_days is None else self.all_day_days * 86_400
        after = zones.epoch_to_local(max(start - reach, 0), self.tz) - timedelta(days=1)
        # A day of slack each side, kept clear of the end of year 9999.
        before = zones.epoch_to_local(min(end, MAX_EPOCH - 3 * 86_400), self.tz) + timedelta(days=1)
        spans = []
        for local in self._starts(max(after, self.dtstart), before):
            s, e = self.instance_span(local)
            if s < end and (e > start or (e == s and s >= start)):
                spans.append((s, e))
        return spans

    def is_instance(self, instance_start: int) -> bool:
        return any(s == instance_start for s, _ in self.between(instance_start, instance_start + 1))

    def last_end(self) -> int | None:
        """End of the last instance, or None when the series is unbounded (or very long)."""
        if not self.bounded:
            return None
        starts = list(islice(self.rules, MAX_INSTANCES + 1))
        if len(starts) > MAX_INSTANCES:
            return None
        starts = [s for s in starts if s.date() not in self.ex_days]
        if not starts:
            return self.instance_span(self.dtstart)[1]
        return self.instance_span(starts[-1])[1]


def _split(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise ValueError("expected NAME:VALUE")
    name, *params = head.split(";")
    parsed = {}
    for param in params:
        key, eq, val = param.partition("=")
        if not eq:
            raise ValueError(f"malformed parameter {param!r}")
        parsed[key.strip().upper()] = val.strip()
    return name.strip().upper(), parsed, value.strip()


def _local_value(text: str, params: dict[str, str], tz: tzinfo) -> datetime | date:
    """One UNTIL/EXDATE/RDATE value as naive wall-clock time in `tz` (or a date)."""
    match = _VALUE.match(text.strip())
    if not match:
        raise ValueError(f"malformed date-time {text!r}")
    day_text, time_text, utc = match.groups()
    day = datetime.strptime(day_text, "%Y%m%d").date()
    if time_text is None or params.get("VALUE", "").upper() == "DATE":
        return day
    value = datetime.combine(day, datetime.strptime(time_text, "%H%M%S").time())
    if utc:
        return value.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    if "TZID" in params:
        source = zones.zone(zones.check_zone("TZID", params["TZID"]))
        instant = zones.local_to_epoch(value, source)
        return zones.epoch_to_local(instant, tz)
    return value


def _rule_text(value: str, tz: tzinfo, all_day: bool) -> str:
    parts = []
    for part in value.split(";"):
        key, eq, val = part.partition("=")
        if not eq:
            raise ValueError(f"malformed rule part {part!r}")
        key = key.strip().upper()
        if key == "FREQ" and val.strip().upper() not in ALLOWED_FREQ:
            raise ValueError(f"FREQ must be one of {', '.join(sorted(ALLOWED_FREQ))}")
        if key == "INTERVAL" and not (val.strip().isdigit() and int(val) >= 1):
            raise ValueError("INTERVAL must be a positive integer")
        if key == "UNTIL":
            until = _local_value(val, {}, tz)
            if not isinstance(until, datetime):
                # A date UNTIL includes that whole day.
                until = datetime.combine(until, time(23, 59, 59))
            val = until.strftime("%Y%m%dT%H%M%S")
        if key == "DTSTART":
            raise ValueError("DTSTART comes from `when`, not from the rule")
        parts.append(f"{key}={val.strip()}")
    return ";".join(parts)


def _ever_occurs(rule: rrule.rrule, dtstart: datetime) -> bool:
    """Whether `rule` yields any instance at all.

    dateutil scans a rule that matches nothing (say, February 30th) up to year 9999 before it
    gives up, on every read. Probe a copy moved forward by whole calendar cycles instead, so
    that the scan stops after one to two cycles.
    """
    cycles = max(0, (datetime.max.year - 2 * _CYCLE_YEARS - dtstart.year) // _CYCLE_YEARS)
    probe = rule.replace(
        dtstart=dtstart.replace(year=dtstart.year + cycles * _CYCLE_YEARS), count=None, until=None
    )
    return next(iter(probe), None) is not None


def parse_series(
    lines: list[str],
    *,
    first_start: int,
    first_end: int,
    timezone: str | None,
    all_day: bool,
    check_occurs: bool = False,
) -> Series:
    """Parse recurrence lines for a master whose first instance is [first_start, first_end).

    Raises RecurrenceError naming the offending line. `check_occurs` (for writes) also
    rejects a rule that never yields an instance, which would make every read slow.
    """
    tz = zones.zone(timezone)
    dtstart = zones.epoch_to_local(first_start, tz)
    days = None
    if all_day:
        days = max(1, round((first_end - first_start) / 86_400))
    rules = rrule.rruleset()
    ex_days: set[date] = set()
    has_rule = False
    bounded = True
    for index, line in enumerate(lines):
        try:
            if not isinstance(line, str):
                raise ValueError("expected a string")
            name, params, value = _split(line)
            if name == "RRULE":
                text = _rule_text(value, tz, all_day)
                rule = rrule.rrulestr(text, dtstart=dtstart)
                if not isinstance(rule, rrule.rrule):
                    raise ValueError("expected one rule")
                if check_occurs and not _ever_occurs(rule, dtstart):
                    raise ValueError("the rule never produces an instance")
                rules.rrule(rule)
                has_rule = True
                upper = text.upper()
                bounded = bounded and ("COUNT=" in upper or "UNTIL=" in upper)
            elif name in ("EXDATE", "RDATE"):
                for item in value.split(","):
                    when = _local_value(item, params, tz)
                    if name == "EXDATE":
                        if isinstance(when, datetime):
                            rules.exdate(when)
                        else:
                            ex_days.add(when)
                    else:
                        if not isinstance(when, datetime):
                            when = datetime.combine(when, dtstart.time())
                        rules.rdate(when)
            else:
                raise ValueError("expected an RRULE, EXDATE or RDATE line")
        except RecurrenceError:
            raise
        except SlotwiseError as exc:  # a TZID that names no zone
            raise RecurrenceError(index, exc.message) from None
        except (ValueError, TypeError, OverflowError, KeyError) as exc:
            raise RecurrenceError(index, str(exc) or "is not a valid recurrence line") from None
    if lines and not has_rule:
        raise RecurrenceError(0, "needs an RRULE line")
    return Series(
        dtstart=dtstart,
        tz=tz,
        duration=first_end - first_start,
        all_day_days=days,
        rules=rules,
        ex_days=ex_days,
        bounded=bounded,
    )


def instance_suffix(start: int) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%Y%m%dT%H%M%SZ")


def instance_id(master_id: str, start: int) -> str:
    return f"{master_id}_{instance_suffix(start)}"


def split_instance_id(event_id: str) -> tuple[str, int] | None:
    """(master id, instance start) for an instance id `<master>_<YYYYMMDDTHHMMSSZ>`."""
    master, sep, suffix = event_id.rpartition("_")
    if not sep or not master:
        return None
    try:
        at = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return master, int(at.timestamp())


def exdate_line(start: int, all_day: bool, tz: tzinfo) -> str:
    if all_day:
        return "EXDATE;VALUE=DATE:" + zones.epoch_to_local(start, tz).strftime("%Y%m%d")
    return "EXDATE:" + instance_suffix(start)

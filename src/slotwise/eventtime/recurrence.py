"""Recurring events: RRULE / RDATE / EXDATE lines expanded into instances.

Rules expand in wall-clock time in the event's zone (so a weekly 09:00 stays at 09:00 across
DST changes), then each instance is converted to epoch seconds. Timed instances keep the
master's elapsed duration; all-day instances keep its number of days.

UNTIL and EXDATE values may be given in UTC (`Z`), with a TZID, as floating local times, or as
dates; all are brought into the event's wall-clock time first, which also spares dateutil's
rule that UNTIL must match DTSTART's awareness.

The work of one read is bounded by the window, not by the series' age: a rule is started
again near the window (see `Rule.near`), and at most MAX_INSTANCES instances of each rule are
looked at per read; docs/api-compatibility.md ("Recurrence limits") says what happens when
that is hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice

from dateutil import rrule

from slotwise.availability import zones
from slotwise.errors import SlotwiseError
from slotwise.validation import MAX_EPOCH, check_zone

# No sub-daily frequencies: a calendar series of those would swamp every busy query. (BYHOUR,
# BYMINUTE and BYSECOND lists can still make a daily rule dense; MAX_INSTANCES bounds that.)
ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# Instances of one rule looked at per read (per window), and when following a COUNT rule
# from its DTSTART or computing where a series ends.
MAX_INSTANCES = 10_000

# The Gregorian calendar (leap years and weekdays) repeats every 400 years, so a rule that
# yields nothing over that long never will.
_CYCLE_YEARS = 400

_SLACK = timedelta(hours=3)
_VALUE = re.compile(r"^(\d{8})(?:T(\d{6})(Z)?)?$")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Parts after which dateutil no longer takes the day from DTSTART (RFC 5545 3.3.10).
_DAY_PARTS = {"BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYEASTER"}


class RecurrenceError(ValueError):
    def __init__(self, index: int, problem: str) -> None:
        super().__init__(f"recurrence[{index}]: {problem}")
        self.index = index


@dataclass(frozen=True)
class Rule:
    """One RRULE whose every BYxxx part is explicit, so DTSTART only says where it begins.

    Then the same rule started at a later period boundary (`near`) yields exactly the
    original instances from that point on, which is what lets a read skip the years between
    DTSTART and the window.
    """

    rule: rrule.rrule
    dtstart: datetime
    freq: str
    interval: int
    wkst: int  # 0 = Monday, dateutil's numbering
    count: int | None

    def _period_index(self, moment: date) -> int:
        """Number of the FREQ period holding `moment` (days, weeks, months or years)."""
        if self.freq == "DAILY":
            return moment.toordinal()
        if self.freq == "WEEKLY":
            return (moment.toordinal() - 1 - self.wkst) // 7  # ordinal 1 is a Monday
        if self.freq == "MONTHLY":
            return moment.year * 12 + moment.month - 1
        return moment.year

    def _period_start(self, index: int) -> datetime:
        if self.freq == "DAILY":
            day = date.fromordinal(index)
        elif self.freq == "WEEKLY":
            day = date.fromordinal(index * 7 + 1 + self.wkst)
        elif self.freq == "MONTHLY":
            day = date(index // 12, index % 12 + 1, 1)
        else:
            day = date(index, 1, 1)
        return datetime.combine(day, time())

    def near(self, moment: datetime) -> rrule.rrule:
        """The rule restarted at the last of its periods that begins at or before `moment`.

        COUNT is dropped: the count runs from the real DTSTART (see `Series._rule_starts`).
        """
        first = self._period_index(self.dtstart.date())
        skip = (self._period_index(moment.date()) - first) // self.interval
        if skip <= 0:
            return self.rule if self.count is None else self.rule.replace(count=None)
        return self.rule.replace(
            dtstart=self._period_start(first + skip * self.interval), count=None
        )


@dataclass
class Expansion:
    """Instances of a series overlapping a window."""

    spans: list[tuple[int, int]]  # (start, end) epoch pairs in start order
    # When a rule had more than MAX_INSTANCES instances to look at in the window: the instant
    # from which it was not followed (never before the window's start). Busy reads count
    # [cut, window end) as busy rather than leave a dense series' time free.
    cut: int | None = None
    looked_at: int = 0  # rule instances generated, the measure of the work done


@dataclass
class Series:
    """A parsed recurrence for one master event."""

    dtstart: datetime  # naive wall-clock time in `tz`
    tz: tzinfo
    duration: int  # seconds (timed events)
    all_day_days: int | None  # number of days (all-day events), else None
    rules: list[Rule] = field(default_factory=list, repr=False)
    rdates: list[datetime] = field(default_factory=list)
    ex_times: set[datetime] = field(default_factory=set)
    ex_days: set[date] = field(default_factory=set)
    bounded: bool = True  # every RRULE has COUNT or UNTIL

    def instance_span(self, local_start: datetime) -> tuple[int, int]:
        start = zones.local_to_epoch(local_start, self.tz)
        if self.all_day_days is not None:
            return start, zones.midnight(local_start.date() + timedelta(self.all_day_days), self.tz)
        return start, start + self.duration

    def _excluded(self, local: datetime) -> bool:
        return local in self.ex_times or local.date() in self.ex_days

    @staticmethod
    def _follow(
        starts: Iterable[datetime], after: datetime, before: datetime, found: set[datetime]
    ) -> tuple[int, datetime | None]:
        """Add the starts in [after, before] to `found`, looking at MAX_INSTANCES at most.

        Returns how many were looked at, and the last one when the budget ran out first.
        """
        looked = 0
        for local in starts:
            looked += 1
            if local > before:
                return looked, None
            if local >= after:
                found.add(local)
            if looked >= MAX_INSTANCES:
                return looked, local
        return looked, None

    def _rule_starts(
        self, rule: Rule, after: datetime, before: datetime, found: set[datetime]
    ) -> tuple[int, datetime | None]:
        if rule.count is None:
            return self._follow(rule.near(after), after, before, found)
        # The count runs from DTSTART, so a COUNT rule is followed from there; one whose count
        # outlasts the budget before the window is taken to go on without end (busy errs long).
        looked, cut = self._follow(rule.rule, after, before, found)
        if cut is None or cut >= after:
            return looked, cut
        more, cut = self._follow(rule.near(after), after, before, found)
        return looked + more, cut

    def expand(self, start: int, end: int) -> Expansion:
        """Instances overlapping [start, end). A zero-length one counts when inside."""
        reach = self.duration if self.all_day_days is None else self.all_day_days * 86_400
        # Slack each side for wall-clock shifts (no zone moves its clocks by more than two
        # hours), kept clear of the end of year 9999.
        after = zones.epoch_to_local(max(start - reach, 0), self.tz) - _SLACK
        before = zones.epoch_to_local(min(end, MAX_EPOCH - 3 * 86_400), self.tz) + _SLACK
        after = max(after, self.dtstart)
        found: set[datetime] = {d for d in self.rdates if after <= d <= before}
        looked_at = 0
        cut: int | None = None
        for rule in self.rules:
            looked, stopped = self._rule_starts(rule, after, before, found)
            looked_at += looked
            if stopped is not None:
                at = max(self.instance_span(stopped)[0], start)
                cut = at if cut is None else min(cut, at)
        spans = []
        for local in sorted(found):
            if self._excluded(local):
                continue
            s, e = self.instance_span(local)
            if s < end and (e > start or (e == s and s >= start)):
                spans.append((s, e))
        return Expansion(spans, cut, looked_at)

    def between(self, start: int, end: int) -> list[tuple[int, int]]:
        """Instances overlapping [start, end), as (start, end) epoch pairs in start order.

        A zero-length instance counts when it lies inside the window.
        """
        return self.expand(start, end).spans

    def is_instance(self, instance_start: int) -> bool:
        return any(s == instance_start for s, _ in self.between(instance_start, instance_start + 1))

    def last_end(self) -> int | None:
        """End of the last instance, or None when the series is unbounded (or very long)."""
        if not self.bounded:
            return None
        starts = [d for d in self.rdates if not self._excluded(d)]
        for rule in self.rules:
            found = list(islice(rule.rule, MAX_INSTANCES + 1))
            if len(found) > MAX_INSTANCES:
                return None
            starts.extend(d for d in found if not self._excluded(d))
        if not starts:
            return self.instance_span(self.dtstart)[1]
        return self.instance_span(max(starts))[1]


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
        source = zones.zone(check_zone("TZID", params["TZID"]))
        instant = zones.local_to_epoch(value, source)
        return zones.epoch_to_local(instant, tz)
    return value


def _rule_parts(value: str, tz: tzinfo) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in value.split(";"):
        key, eq, val = part.partition("=")
        if not eq:
            raise ValueError(f"malformed rule part {part!r}")
        key, val = key.strip().upper(), val.strip()
        if key == "FREQ" and val.upper() not in ALLOWED_FREQ:
            raise ValueError(f"FREQ must be one of {', '.join(sorted(ALLOWED_FREQ))}")
        if key == "INTERVAL" and not (val.isdigit() and int(val) >= 1):
            raise ValueError("INTERVAL must be a positive integer")
        if key == "COUNT" and not (val.isdigit() and int(val) >= 1):
            raise ValueError("COUNT must be a positive integer")
        if key == "WKST" and val.upper() not in _WEEKDAYS:
            raise ValueError("WKST must be a day (MO, TU, WE, TH, FR, SA, SU)")
        if key == "UNTIL":
            until = _local_value(val, {}, tz)
            if not isinstance(until, datetime):
                # A date UNTIL includes that whole day.
                until = datetime.combine(until, time(23, 59, 59))
            val = until.strftime("%Y%m%dT%H%M%S")
        if key == "DTSTART":
            raise ValueError("DTSTART comes from `when`, not from the rule")
        if key in parts:
            raise ValueError(f"{key} appears twice")
        parts[key] = val
    if "FREQ" not in parts:
        raise ValueError("FREQ is required")
    parts["FREQ"] = parts["FREQ"].upper()
    return parts


def _with_defaults(parts: dict[str, str], dtstart: datetime) -> dict[str, str]:
    """The parts plus, spelled out, what dateutil would otherwise take from DTSTART."""
    full = dict(parts)
    for key, value in (("BYHOUR", dtstart.hour), ("BYMINUTE", dtstart.minute)):
        full.setdefault(key, str(value))
    full.setdefault("BYSECOND", str(dtstart.second))
    if not _DAY_PARTS & parts.keys():
        freq = parts["FREQ"]
        if freq == "YEARLY":
            full.setdefault("BYMONTH", str(dtstart.month))
            full["BYMONTHDAY"] = str(dtstart.day)
        elif freq == "MONTHLY":
            full["BYMONTHDAY"] = str(dtstart.day)
        elif freq == "WEEKLY":
            full["BYDAY"] = _WEEKDAYS[dtstart.weekday()]
    return full


def _as_daily(parts: dict[str, str]) -> dict[str, str]:
    """An equivalent FREQ=DAILY rule where there is one, else the parts unchanged.

    With INTERVAL 1, no BYSETPOS and no "nth weekday", whether a day belongs to a rule is a
    property of the day alone (its month, weekday, day of month or year, week number), so a
    weekly, monthly or yearly rule is the daily rule with the same filters. Daily periods let
    a read start on the window's first day rather than at the start of its week, month or
    year.
    """
    if (
        parts["FREQ"] == "DAILY"
        or int(parts.get("INTERVAL", "1")) != 1
        or "BYSETPOS" in parts
        or any(ch.isdigit() for ch in parts.get("BYDAY", ""))
    ):
        return parts
    return {**parts, "FREQ": "DAILY"}


def _rrule(parts: dict[str, str], dtstart: datetime) -> rrule.rrule:
    rule = rrule.rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=dtstart)
    if not isinstance(rule, rrule.rrule):
        raise ValueError("expected one rule")
    return rule


def _parse_rule(value: str, tz: tzinfo, dtstart: datetime, check_occurs: bool) -> Rule:
    exact = _with_defaults(_rule_parts(value, tz), dtstart)
    # Probed in its own FREQ: a yearly rule has 365 times fewer periods to scan than the
    # daily one it may be read as.
    if check_occurs and not _ever_occurs(_rrule(exact, dtstart), dtstart):
        raise ValueError("the rule never produces an instance")
    parts = _as_daily(exact)
    rule = _rrule(parts, dtstart)
    return Rule(
        rule=rule,
        dtstart=dtstart,
        freq=parts["FREQ"],
        interval=int(parts.get("INTERVAL", "1")),
        wkst=_WEEKDAYS.index(parts.get("WKST", "MO").upper()),
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
    )


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
    rules: list[Rule] = []
    rdates: list[datetime] = []
    ex_times: set[datetime] = set()
    ex_days: set[date] = set()
    bounded = True
    for index, line in enumerate(lines):
        try:
            if not isinstance(line, str):
                raise ValueError("expected a string")
            name, params, value = _split(line)
            if name == "RRULE":
                rules.append(_parse_rule(value, tz, dtstart, check_occurs))
                upper = value.upper()
                bounded = bounded and ("COUNT=" in upper or "UNTIL=" in upper)
            elif name in ("EXDATE", "RDATE"):
                for item in value.split(","):
                    when = _local_value(item, params, tz)
                    if name == "EXDATE":
                        if isinstance(when, datetime):
                            ex_times.add(when)
                        else:
                            ex_days.add(when)
                    else:
                        if not isinstance(when, datetime):
                            when = datetime.combine(when, dtstart.time())
                        rdates.append(when)
            else:
                raise ValueError("expected an RRULE, EXDATE or RDATE line")
        except RecurrenceError:
            raise
        except SlotwiseError as exc:  # a TZID that names no zone
            raise RecurrenceError(index, exc.message) from None
        except (ValueError, TypeError, OverflowError, KeyError) as exc:
            raise RecurrenceError(index, str(exc) or "is not a valid recurrence line") from None
    if lines and not rules:
        raise RecurrenceError(0, "needs an RRULE line")
    return Series(
        dtstart=dtstart,
        tz=tz,
        duration=first_end - first_start,
        all_day_days=days,
        rules=rules,
        rdates=rdates,
        ex_times=ex_times,
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

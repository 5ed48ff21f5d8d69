"""Open hours: weekly rules, date overrides and exdates, expanded into UTC spans.

Rules are expanded per *local* date in wall-clock time and only then converted (through
``zones.wall_to_utc``, which owns the DST policy), so "09:00-17:00" stays 09:00-17:00 local on
both sides of a DST change and a changeover day is as long as its clocks say.

Override semantics:

* ``exdates`` of a weekly rule drop that rule on those local dates.
* A ``SpecificHours`` entry replaces the weekly hours of its date: every weekly rule skips that
  local date (the date is compared as a calendar date, whatever each rule's zone), and the
  entry's own span is added; ``0..0`` adds nothing, so the date is closed. Several entries on
  one date add up.
* No weekly rules means open all the time, except on overridden dates, where only the
  entries' spans count (the overridden date is the local day in the entry's own zone).
* ``only_specific`` ignores weekly rules and the open-all-the-time default entirely.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from .intervals import Span, clip, merge, subtract
from .model import Participant, SpecificHours, WeeklyHours
from .zones import local_date, wall_to_utc, zone

RuleCache = dict[tuple[WeeklyHours, int, int, frozenset[date]], list[Span]]


def open_windows(
    participant: Participant,
    window_start: int,
    window_end: int,
    *,
    cache: RuleCache | None = None,
) -> list[Span]:
    """The participant's open time within ``[window_start, window_end)`` as a span list.

    ``cache`` lets one engine call share the expansion of rules that several people have.
    """
    if window_start >= window_end:
        return []
    overridden = frozenset(s.date for s in participant.specific)
    spans: list[Span] = []
    if not participant.only_specific:
        if participant.open_hours:
            for rule in participant.open_hours:
                key = (rule, window_start, window_end, overridden)
                found = cache.get(key) if cache is not None else None
                if found is None:
                    found = weekly_windows(rule, window_start, window_end, overridden)
                    if cache is not None:
                        cache[key] = found
                spans.extend(found)
        else:
            closed = merge(_local_day(s) for s in participant.specific)
            spans.extend(subtract([(window_start, window_end)], closed))
    spans.extend(_specific_span(s) for s in participant.specific)
    return clip(merge(spans), window_start, window_end)


def weekly_windows(
    rule: WeeklyHours, window_start: int, window_end: int, skip: Collection[date] = ()
) -> list[Span]:
    """Spans of one weekly rule that overlap the window (not clipped), in date order."""
    tz = zone(rule.timezone)
    end_minute = 1440 if rule.end_minute == 0 else rule.end_minute
    if end_minute <= rule.start_minute:
        return []
    # One spare day each side: a local day can start before the window's first UTC day.
    day = local_date(tz, window_start) - timedelta(days=1)
    last = local_date(tz, window_end) + timedelta(days=1)
    out: list[Span] = []
    while day <= last:
        if day.weekday() in rule.days and day not in rule.exdates and day not in skip:
            start = wall_to_utc(tz, day, rule.start_minute)
            end = wall_to_utc(tz, day, end_minute)
            if start < end and end > window_start and start < window_end:
                out.append((start, end))
        day += timedelta(days=1)
    return out


def _specific_span(spec: SpecificHours) -> Span:
    if spec.start_minute == 0 and spec.end_minute == 0:
        return (0, 0)  # closes the date; merge() drops the empty span
    tz = zone(spec.timezone)
    end_minute = 1440 if spec.end_minute == 0 else spec.end_minute
    return (wall_to_utc(tz, spec.date, spec.start_minute), wall_to_utc(tz, spec.date, end_minute))


def _local_day(spec: SpecificHours) -> Span:
    tz = zone(spec.timezone)
    return (wall_to_utc(tz, spec.date, 0), wall_to_utc(tz, spec.date, 1440))

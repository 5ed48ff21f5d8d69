"""Slotwise's one time-zone module: IANA names, wall clock <-> epoch seconds, and DST policy.

Standard library only, so the engine can use it; the faces, events and feeds use it too. Zone
names are checked against the zone database's list (never read as a file path).

A wall-clock reading that a changeover skips (spring forward) or repeats (fall back) is
resolved by one of two named gap policies; an ambiguous (repeated) reading always takes its
first occurrence, the one before the clocks go back (the daylight one in the north). Both are
pinned by tests on both changeovers in New York, Berlin, Sydney and Santiago:

* ``Gap.TO_JUMP`` -- open hours (``wall_to_utc``). A time in the gap moves forward to the
  instant the clocks jump, the first instant that exists after it: 02:30 on New York's
  spring-forward day is 03:00 EDT. A window edge means "when the wall clock first reads this
  or later", so 09:00-17:00 stays 09:00-17:00 and a window lying wholly inside the gap is
  empty instead of growing an hour that was never asked for.
* ``Gap.SHIFT`` -- event times (``local_to_epoch``: recurring instances, all-day spans, feeds).
  A time in the gap is read with the offset in force before it (RFC 5545 section 3.3.5), which
  shifts it forward by the gap's length: 02:30 on that day is 03:30 EDT, keeping the event's
  duration. That is what other calendar clients show for such an event, and a calendar synced
  both ways must agree with them.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .model import AvailabilityInputError

DAY = 86400
# Offsets are sampled this often to find transitions; real zones never change twice this fast.
_SAMPLE = 6 * 3600


class Gap(enum.Enum):
    """Where a wall-clock time that a spring-forward change skips is placed (module docstring)."""

    TO_JUMP = "to-jump"  # open hours: the instant of the jump
    SHIFT = "shift"  # event times (RFC 5545 section 3.3.5): the offset before the gap


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


def is_zone(name: object) -> bool:
    """Whether `name` is an IANA zone name of the zone database (never a path)."""
    return isinstance(name, str) and name in _known()


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The zone named `name` (None or empty: UTC)."""
    if not name:
        name = "UTC"
    if not is_zone(name):
        raise AvailabilityInputError(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AvailabilityInputError(f"unknown time zone {name!r}") from exc


def offset_at(tz: tzinfo, t: int) -> int:
    """UTC offset in seconds in force at instant ``t``."""
    off = datetime.fromtimestamp(t, tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def local_date(tz: ZoneInfo, t: int) -> date:
    return datetime.fromtimestamp(t, tz).date()


def to_epoch(naive: datetime, tz: tzinfo, gap: Gap) -> int:
    """The instant at which the wall clock in `tz` reads `naive`, gaps placed by `gap`; an
    ambiguous reading takes its first occurrence."""
    # fold=0 gives the first occurrence of an ambiguous time, and for a gap time the reading
    # with the pre-transition offset, which lands after the jump by the gap's length.
    late = int(naive.replace(tzinfo=tz, fold=0).timestamp())
    if gap is Gap.SHIFT or datetime.fromtimestamp(late, tz).replace(tzinfo=None) == naive:
        return late
    # In a gap: fold=1 reads it with the post-transition offset, which lands before the jump.
    early = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    after = offset_at(tz, late)
    # Smallest instant in (early, late] already on the new offset = the jump itself.
    lo, hi = early, late
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_at(tz, mid) == after:
            hi = mid
        else:
            lo = mid
    return hi


def wall_to_utc(tz: ZoneInfo, day: date, minute: int) -> int:
    """Open hours: the instant the wall clock in ``tz`` reads ``day`` + ``minute`` minutes
    (``Gap.TO_JUMP``). ``minute`` may be 1440 (the midnight that ends ``day``)."""
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    return to_epoch(naive, tz, Gap.TO_JUMP)


def local_to_epoch(value: datetime, tz: tzinfo) -> int:
    """Event times: naive wall-clock `value` in `tz` to epoch seconds (``Gap.SHIFT``)."""
    return to_epoch(value.replace(tzinfo=None), tz, Gap.SHIFT)


def midnight(day: date, tz: tzinfo) -> int:
    """The start of `day` in `tz` (``Gap.SHIFT``, for zones whose changeover is at midnight)."""
    return local_to_epoch(datetime.combine(day, time()), tz)


def epoch_to_local(ts: int, tz: tzinfo) -> datetime:
    """Epoch seconds to naive wall-clock time in `tz`."""
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None)


def day_span(first: date, last: date, tz: tzinfo) -> tuple[int, int]:
    """[midnight of `first`, midnight after `last`) in `tz`."""
    return midnight(first, tz), midnight(last + timedelta(days=1), tz)


class OffsetTimeline:
    """UTC offsets of one zone over a range, for fast repeated lookups in the hot path."""

    def __init__(self, name: str, lo: int, hi: int) -> None:
        self.fixed: int | None = 0 if name == "UTC" else None
        self.changes: list[int] = []  # instants at which a new offset starts
        self.offsets: list[int] = []  # offsets[i] is in force from changes[i - 1] (or -inf)
        if self.fixed is not None:
            return
        tz = zone(name)
        start = lo - 2 * DAY
        prev = offset_at(tz, start)
        self.offsets.append(prev)
        t = start
        while t < hi + 2 * DAY:
            nxt = t + _SAMPLE
            cur = offset_at(tz, nxt)
            if cur != prev:
                # Binary search the exact second of the change inside (t, nxt].
                a, b = t, nxt
                while b - a > 1:
                    mid = (a + b) // 2
                    if offset_at(tz, mid) == prev:
                        a = mid
                    else:
                        b = mid
                self.changes.append(b)
                self.offsets.append(cur)
                prev = cur
            t = nxt
        if not self.changes:
            self.fixed = prev

    def lookup(self, t: int) -> tuple[int, int | None]:
        """Offset at ``t`` and the next instant at which it changes (None: not in range)."""
        if self.fixed is not None:
            return self.fixed, None
        i = bisect_right(self.changes, t)
        nxt = self.changes[i] if i < len(self.changes) else None
        return self.offsets[i], nxt


class Snapper:
    """Moves an instant up to the next wall-clock multiple of ``round_to`` seconds.

    "Multiple" is counted from local midnight in the rounding zone, so with 15 minutes the
    starts are :00/:15/:30/:45 on the local clock (in +05:45 that is also :00/:15/... in UTC,
    but with 30 minutes it is :15/:45 UTC). A step that does not divide the day restarts at
    each local midnight. Across a DST change the result is the first instant at or after ``t``
    whose wall-clock reading is a multiple.
    """

    def __init__(self, round_to: int, timezone: str, lo: int, hi: int) -> None:
        self.step = round_to
        self.timeline = OffsetTimeline(timezone, lo, hi) if round_to > 1 else None

    def __call__(self, t: int) -> int:
        step = self.step
        timeline = self.timeline
        if timeline is None:
            return t
        if timeline.fixed is not None:
            return _snap_fixed(t, step, timeline.fixed)
        while True:
            off, change = timeline.lookup(t)
            res = _snap_fixed(t, step, off)
            if change is None or res < change:
                return res
            # The offset changes before the candidate: re-read the clock from the change.
            t = change

    def lattice(self, step: int) -> int | None:
        """The phase ``p`` if ``self(t)`` is ``t`` rounded up to the lattice ``p + k * step``
        for every ``t``, else None.

        That holds when rounding is to ``step`` itself, ``step`` divides the day (so no restart
        at local midnight cuts the lattice) and every offset of the rounding zone in range is
        the same modulo ``step`` (an hour's DST change keeps a 15-minute lattice, a
        30-minute one in +10:30/+11:00 does not). The grid can then be computed with integer
        arithmetic instead of snapping each stretch start.
        """
        timeline = self.timeline
        if timeline is None or self.step != step or DAY % step:
            return None
        offsets = [timeline.fixed] if timeline.fixed is not None else timeline.offsets
        phases = {-off % step for off in offsets}
        return phases.pop() if len(phases) == 1 else None

    def many(self, ts: list[int]) -> list[int]:
        """``[self(t) for t in ts]``, without a call per instant where the offset is fixed."""
        timeline = self.timeline
        if timeline is None:
            return list(ts)
        off = timeline.fixed
        if off is None:
            return [self(t) for t in ts]
        step = self.step
        # _snap_fixed inlined: t - (time since local midnight) + (that time rounded up).
        return [
            t - into + (up if (up := -(-into // step) * step) < DAY else DAY)
            for t in ts
            for into in ((t + off) % DAY,)
        ]


def _snap_fixed(t: int, step: int, off: int) -> int:
    local = t + off
    midnight = local - local % DAY
    into = local - midnight
    up = min(-(-into // step) * step, DAY)
    return midnight + up - off

"""The engine's only time-zone code: wall clock <-> epoch seconds, and its DST policy.

Policy (pinned by tests on both changeovers in New York and Sydney):

* A wall-clock time inside a spring-forward gap moves forward to the instant the clocks jump,
  i.e. the first instant that exists after it (02:30 on a New York spring-forward day becomes
  03:00 EDT). So "open from 02:30" means open whenever the wall clock reads 02:30 or later.
* An ambiguous wall-clock time (fall-back) takes its first occurrence (the daylight one).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import AvailabilityInputError

DAY = 86400
# Offsets are sampled this often to find transitions; real zones never change twice this fast.
_SAMPLE = 6 * 3600


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AvailabilityInputError(f"unknown time zone {name!r}") from exc


def offset_at(tz: ZoneInfo, t: int) -> int:
    """UTC offset in seconds in force at instant ``t``."""
    off = datetime.fromtimestamp(t, tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def local_date(tz: ZoneInfo, t: int) -> date:
    return datetime.fromtimestamp(t, tz).date()


def wall_to_utc(tz: ZoneInfo, day: date, minute: int) -> int:
    """The instant at which the wall clock in ``tz`` reads ``day`` + ``minute`` minutes.

    ``minute`` may be 1440 (the midnight that ends ``day``).
    """
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    # fold=0 gives the first occurrence of an ambiguous time, and for a gap time the reading
    # with the pre-transition offset, which lands after the jump.
    late = int(naive.replace(tzinfo=tz).timestamp())
    if datetime.fromtimestamp(late, tz).replace(tzinfo=None) == naive:
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


def _snap_fixed(t: int, step: int, off: int) -> int:
    local = t + off
    midnight = local - local % DAY
    into = local - midnight
    up = min(-(-into // step) * step, DAY)
    return midnight + up - off

"""Benchmark of the availability engine against the brute-force oracle.

Workload (deterministic for a seed): P people spread over four time zones, weekday 09:00-17:00
open hours in their own zone, four busy events on each of their local weekdays, a D-day window;
30-minute slots every 15 minutes, starts rounded to 15 minutes.

    PYTHONPATH=src python bench/availability_engine.py [--runs 21] [--oracle-runs 3]

``make_workload`` and ``RULES`` are meant to be reused by other benchmarks (e.g. over HTTP).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from slotwise.availability import (
    AvailabilityResult,
    Participant,
    Rules,
    WeeklyHours,
    compute_availability,
    oracle_availability,
)

ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney")
START_DAY = date(2024, 5, 6)  # a Monday
RULES = Rules(duration=30 * 60, interval=15 * 60, round_to=15 * 60)
SIZES = ((5, 14), (10, 31), (50, 31))
# (label, method, zones): people spread over four zones never share working hours, so the
# collective rows there measure the early exit; the one-zone rows show collective with slots.
CASES = (
    ("collective", "collective", ZONES),
    ("max-availability", "max-availability", ZONES),
    ("collective 1 zone", "collective", ZONES[:1]),
)


class Workload(NamedTuple):
    participants: list[Participant]
    window_start: int
    window_end: int


def make_workload(p: int, d: int, seed: int = 1, zones: Sequence[str] = ZONES) -> Workload:
    """P participants over D days starting Monday 2024-05-06 00:00 UTC (same seed, same data).

    Person i works in ``zones[i % len(zones)]``.
    """
    rng = random.Random(seed)
    utc = ZoneInfo("UTC")
    window_start = int(
        datetime(START_DAY.year, START_DAY.month, START_DAY.day, tzinfo=utc).timestamp()
    )
    window_end = window_start + d * 86400
    people = []
    for i in range(p):
        zone_name = zones[i % len(zones)]
        tz = ZoneInfo(zone_name)
        hours = WeeklyHours(frozenset(range(5)), 9 * 60, 17 * 60, zone_name)
        busy = []
        # One local day either side so the edges of the UTC window are covered too.
        for k in range(-1, d + 1):
            day = START_DAY + timedelta(days=k)
            if day.weekday() >= 5:
                continue
            for _ in range(4):
                minute = rng.randrange(8 * 4, 18 * 4) * 15
                length = rng.choice((15, 30, 45, 60, 90)) * 60
                local = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(
                    minutes=minute
                )
                start = int(local.timestamp())
                busy.append((start, start + length))
        rng.shuffle(busy)
        people.append(Participant(f"person{i:03d}@example.com", busy=busy, open_hours=[hours]))
    return Workload(people, window_start, window_end)


def as_served(work: Workload) -> Workload:
    """The workload as a served request hands it to the engine: each person's busy time in
    start order, as the database's index reads it (`make_workload` shuffles it, so that the
    engine-against-oracle figures include the engine's own sorting of unordered input), and
    only the spans that reach into the window, as the read selects them (the workload's last
    local days run past the window's end in zones behind UTC)."""
    start, end = work.window_start, work.window_end
    people = [
        replace(p, busy=sorted(b for b in p.busy if b[1] > start and b[0] < end))
        for p in work.participants
    ]
    return Workload(people, start, end)


def timed(
    fn: Callable[[], AvailabilityResult], runs: int
) -> tuple[float, float, AvailabilityResult]:
    """Median and minimum wall time in ms over ``runs`` calls, after one warm-up call."""
    times = []
    result = fn()  # warm-up (zone caches), also the result we compare
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="engine runs per case (median)")
    parser.add_argument("--oracle-runs", type=int, default=1, help="oracle runs per case")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    header = (
        f"{'P':>3} {'D':>3} {'method':<17} {'slots':>6} {'engine ms':>10} {'engine min':>10}"
        f" {'oracle ms':>10} {'x':>6}"
    )
    print(header)
    print("-" * len(header))
    for p, d in SIZES:
        for label, method, zones in CASES:
            work = make_workload(p, d, args.seed, zones)
            rules = replace(RULES, method=method)

            def engine(w: Workload = work, r: Rules = rules) -> AvailabilityResult:
                return compute_availability(w.participants, w.window_start, w.window_end, r)

            def oracle(w: Workload = work, r: Rules = rules) -> AvailabilityResult:
                return oracle_availability(w.participants, w.window_start, w.window_end, r)

            fast, fastest, got = timed(engine, args.runs)
            slow, _, want = timed(oracle, args.oracle_runs)
            if got != want:
                raise SystemExit(f"engine and oracle disagree for P={p} D={d} {label}")
            print(
                f"{p:>3} {d:>3} {label:<17} {len(got.slots):>6} {fast:>10.2f} {fastest:>10.2f}"
                f" {slow:>10.1f} {slow / fast:>6.0f}"
            )


if __name__ == "__main__":
    main()

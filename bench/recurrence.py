"""Reading a dense recurring series: instances looked at and time, bounded by the window.

For each rule, a one-day busy read in 2026 of a series whose DTSTART is D days earlier, as
Slotwise expands it (`Series.expand`), and as a walk from DTSTART would (dateutil from DTSTART,
the baseline, what reads did before). The baseline runs only for the younger series: for the
1970 ones it would walk tens of millions of instances.

    PYTHONPATH=src python bench/recurrence.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from dateutil import rrule

from slotwise.eventtime.recurrence import parse_series

WINDOW = int(datetime(2026, 6, 1, 9, tzinfo=UTC).timestamp())
DAY = 86_400
HOURS = ",".join(str(h) for h in range(24))
MINUTES = ",".join(str(m) for m in range(60))
RULES = {
    "weekly": "FREQ=WEEKLY;BYDAY=MO,WE",
    "every minute": f"FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={MINUTES}",
    "every 10 s": f"FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={MINUTES};BYSECOND=0,10,20,30,40,50",
}


def _slotwise(rule: str, first: int) -> tuple[int, float]:
    series = parse_series(
        [f"RRULE:{rule}"], first_start=first, first_end=first + 5, timezone="UTC", all_day=False
    )
    start = time.perf_counter()
    expansion = series.expand(WINDOW, WINDOW + DAY)
    return expansion.looked_at, (time.perf_counter() - start) * 1000


def _from_dtstart(rule: str, first: int) -> tuple[int, float]:
    dtstart = datetime.fromtimestamp(first, UTC).replace(tzinfo=None)
    until = datetime.fromtimestamp(WINDOW + DAY, UTC).replace(tzinfo=None) + timedelta(days=1)
    start = time.perf_counter()
    looked = 0
    for local in rrule.rrulestr(rule, dtstart=dtstart):
        looked += 1
        if local > until:
            break
    return looked, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| rule | DTSTART | Slotwise instances | Slotwise ms | from DTSTART instances | ms |")
    print("|---|---|---:|---:|---:|---:|")
    for name, rule in RULES.items():
        for days in (30, 365, 56 * 365):
            first = WINDOW - days * DAY
            runs = [_slotwise(rule, first) for _ in range(args.runs)]
            ms = statistics.median(r[1] for r in runs)
            if days <= 365 or name == "weekly":
                base = [_from_dtstart(rule, first) for _ in range(args.runs)]
                base_text = f"{base[0][0]} | {statistics.median(b[1] for b in base):.1f}"
            else:
                base_text = "(not run) | "
            label = datetime.fromtimestamp(first, UTC).date().isoformat()
            print(f"| {name} | {label} | {runs[0][0]} | {ms:.2f} | {base_text} |")


if __name__ == "__main__":
    main()

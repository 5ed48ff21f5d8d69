"""v2 page time slots against v3 availability for the same configuration, in one run.

A page for two accounts (weekdays 09:00-17:00, 30-minute meetings, 14 days ahead, three busy
events per weekday each) is created through `/manage/pages` on a real `slotwise serve`
process; then `GET /schedule/{slug}/timeslots` and `GET /v3/scheduling/availability` for the
page's configuration over the same window are timed, alternating, and the medians compared
(target: the page costs at most 1.2x). Both must return the same slot starts.

    PYTHONPATH=src python bench/pages.py [--runs 41] [--method round-robin-maximize-availability]
    SLOTWISE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/slotwise_bench \
        PYTHONPATH=src python bench/pages.py      # adds PostgreSQL (schema is reset!)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from serverproc import API_KEY, Server, reset_postgres

from slotwise.db.migrate import upgrade

DAYS = 14
HOUR = 3600
DAY = 86400
TARGET = 1.2


def _ok(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code}: {response.text[:300]}")
    return response.json()


def seed(admin: httpx.Client, method: str) -> tuple[str, str]:
    """Two accounts with busy weekdays and their page; (slug, configuration id)."""
    tokens = []
    grant_ids = []
    today = int(time.time()) // DAY * DAY
    for n, email in enumerate(("ann@bench.example", "bob@bench.example")):
        body = {"provider": "virtual-calendar", "settings": {"email": email}}
        grant = _ok(admin.post("/v3/connect/custom", json=body))["data"]
        grant_ids.append(grant["id"])
        tokens.append(_ok(admin.post(f"/v3/grants/{grant['id']}/access-tokens"))["data"])
        for day in range(DAYS + 2):
            for hour in (10 + n, 13, 15 - n):
                start = today + day * DAY + hour * HOUR
                event = {"title": "busy", "when": {"start_time": start, "end_time": start + HOUR}}
                _ok(
                    admin.post(
                        f"/v3/grants/{grant['id']}/events",
                        params={"calendar_id": "primary"},
                        json=event,
                    )
                )
    page = {
        "name": "Bench page",
        "slug": "bench-page",
        "access_tokens": [t["access_token"] for t in tokens],
        "config": {
            "timezone": "UTC",
            "event": {"duration": 30, "title": "Bench"},
            "booking": {
                "opening_hours": [
                    {"days": ["M", "T", "W", "R", "F"], "start": "9:00", "end": "17:00"}
                ],
                "available_days_in_future": DAYS,
                "min_booking_notice": 0,
                "interval_minutes": 30,
                "scheduling_method": method,
            },
        },
    }
    created = _ok(admin.post("/manage/pages", json=page))
    configs = _ok(admin.get(f"/v3/grants/{grant_ids[0]}/scheduling/configurations"))["data"]
    config_id = next(c["id"] for c in configs if c["slug"] == created["slug"])
    return created["slug"], config_id


def measure(server: Server, method: str, runs: int) -> tuple[float, float, int]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as admin:
        slug, config_id = seed(admin, method)
    page_times: list[float] = []
    v3_times: list[float] = []
    slots = 0
    with httpx.Client(base_url=server.url, timeout=60) as guest:
        for i in range(runs + 1):
            # The same window both ways: from now to the end of the last offered day.
            now = int(time.time())
            params: dict[str, Any] = {
                "configuration_id": config_id,
                "start_time": now,
                "end_time": now + (DAYS + 1) * DAY,
            }
            t0 = time.perf_counter()
            page_slots = _ok(guest.get(f"/schedule/{slug}/timeslots"))
            t1 = time.perf_counter()
            v3_slots = _ok(guest.get("/v3/scheduling/availability", params=params))["data"]
            t2 = time.perf_counter()
            page_starts = sorted({s["start"] for s in page_slots})
            v3_starts = sorted({s["start_time"] for s in v3_slots["time_slots"]})
            if page_starts != v3_starts:
                raise SystemExit("the page and v3 availability offer different slots")
            if i:  # the first round warms the process up
                page_times.append((t1 - t0) * 1000)
                v3_times.append((t2 - t1) * 1000)
            slots = len(page_starts)
    return statistics.median(page_times), statistics.median(v3_times), slots


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="request pairs (median)")
    parser.add_argument(
        "--method",
        default="round-robin-maximize-availability",
        choices=[
            "collective",
            "round-robin-maximize-availability",
            "round-robin-maximize-fairness",
        ],
    )
    args = parser.parse_args(argv)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    stores = ["sqlite"] + (["postgresql"] if pg else [])
    header = f"{'store':<11} {'method':<34} {'slots':>5} {'page ms':>8} {'v3 ms':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    failed = False
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for store in stores:
            url = f"sqlite:///{tmp}/bench-pages.db" if store == "sqlite" else str(pg)
            if store == "postgresql":
                reset_postgres(url)
            upgrade(url)
            server = Server(url, tmp)
            try:
                page_ms, v3_ms, slots = measure(server, args.method, args.runs)
            finally:
                server.stop()
            ratio = page_ms / v3_ms
            failed |= ratio > TARGET
            print(
                f"{store:<11} {args.method:<34} {slots:>5} {page_ms:>8.2f} {v3_ms:>8.2f}"
                f" {ratio:>6.2f}"
            )
    if failed:
        raise SystemExit(f"the page's time slots cost more than {TARGET}x v3 availability")


if __name__ == "__main__":
    main()

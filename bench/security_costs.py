"""What the security checks cost per request, against a baseline in the same run.

Against one real `slotwise serve` process (SQLite in a temporary data dir; PostgreSQL too when
SLOTWISE_BENCH_DATABASE_URL is set), sequential requests from one client, median and p95:

  (a) GET /v3/grants with the SLOTWISE_API_KEY key (compared in memory: no database read)
      vs. a stored API key, looked up in the database on every request (no cache, so that a
      revoked key is refused at once);
  (b) GET /v3/scheduling/ui-settings of a public configuration with the API key (not rate
      limited) vs. anonymous (every request counts into two rate-limit rows).

    python bench/security_costs.py [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from serverproc import API_KEY, Server, reset_postgres

from slotwise import keyring
from slotwise.cli import create_api_key
from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Calendar, Grant


def seed(url: str, data_dir: Path) -> tuple[str, str]:
    """A grant with a calendar, and a stored API key: (grant id, stored key)."""
    keyring.configure(None, data_dir)
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        session.add(
            Grant(
                id="g1",
                provider="virtual-calendar",
                email="host@bench.example",
                grant_status="valid",
                scope=[],
                settings={},
                created_at=0,
                updated_at=0,
            )
        )
        session.flush()
        session.add(
            Calendar(
                id="c1",
                grant_id="g1",
                name="host",
                is_primary=True,
                read_only=False,
                calendar_metadata={},
                created_at=0,
                updated_at=0,
            )
        )
    key = create_api_key(db, "bench")
    db.dispose()
    return "g1", key


Row = tuple[str, str, dict[str, Any]]


def timings(client: httpx.Client, rows: list[Row], n: int) -> list[tuple[float, float]]:
    """Median and p95 ms of each row's request; the rows take turns, so that a change in the
    machine's load during the run weighs on all of them alike."""
    samples: list[list[float]] = [[] for _ in rows]
    for _ in range(n):
        for i, (_, path, kwargs) in enumerate(rows):
            started = time.perf_counter()
            response = client.get(path, **kwargs)
            samples[i].append(time.perf_counter() - started)
            response.raise_for_status()
    out = []
    for times in samples:
        times.sort()
        out.append((statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000))
    return out


def run(label: str, url: str, data_dir: Path, n: int) -> None:
    grant_id, stored = seed(url, data_dir)
    server = Server(url, data_dir)
    try:
        admin = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=server.url, timeout=60) as client:
            created = client.post(
                f"/v3/grants/{grant_id}/scheduling/configurations",
                headers=admin,
                json={
                    "participants": [
                        {
                            "email": "host@bench.example",
                            "is_organizer": True,
                            "availability": {"calendar_ids": ["c1"]},
                            "booking": {"calendar_id": "c1"},
                        }
                    ],
                    "availability": {"duration_minutes": 30},
                    "event_booking": {"title": "Bench"},
                },
            )
            created.raise_for_status()
            config = {"configuration_id": created.json()["data"]["id"]}
            rows: list[Row] = [
                ("GET /v3/grants, SLOTWISE_API_KEY", "/v3/grants", {"headers": admin}),
                (
                    "GET /v3/grants, stored key",
                    "/v3/grants",
                    {"headers": {"Authorization": f"Bearer {stored}"}},
                ),
                (
                    "ui-settings, API key (not limited)",
                    "/v3/scheduling/ui-settings",
                    {"headers": admin, "params": config},
                ),
                (
                    "ui-settings, anonymous (counted)",
                    "/v3/scheduling/ui-settings",
                    {"params": config},
                ),
            ]
            timings(client, rows, max(10, n // 10))  # warm-up
            print(f"\n{label}: {n} sequential requests each, taking turns")
            print(f"{'request':<40} {'median ms':>10} {'p95 ms':>8}")
            for (name, _, _), (median, p95) in zip(rows, timings(client, rows, n), strict=True):
                print(f"{name:<40} {median:>10.2f} {p95:>8.2f}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "sqlite"
        data.mkdir()
        run("SQLite", f"sqlite:///{data / 'slotwise.db'}", data, args.requests)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    if pg:
        reset_postgres(pg)
        with tempfile.TemporaryDirectory() as tmp:
            run("PostgreSQL", pg, Path(tmp), args.requests)


if __name__ == "__main__":
    main()

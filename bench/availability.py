"""Availability benchmark: the engine alone, the brute-force oracle, and the whole HTTP request.

Workload (bench/availability_engine.py `make_workload`, deterministic): P people over D days,
weekday 09:00-17:00 open hours spread over four time zones, four busy events per weekday each;
30-minute slots every 15 minutes. For each (P, D) and method it prints
  (a) the engine's median time and the oracle's on the same workload, with their ratio;
  (b) the median time of `POST /v3/calendars/availability` against a real `slotwise serve`
      process whose database holds the same busy time as stored events (SQLite; PostgreSQL too
      when SLOTWISE_BENCH_DATABASE_URL is set), and the server's CPU time per request divided
      by the engine's own CPU time per call on the same workload, each request paired with an
      engine call at the same moment ("CPU/eng": what the whole request costs beyond the
      engine). The paired engine call gets what the served engine gets: busy time in start
      order, as the database reads it (`as_served`), the rules as the endpoint parses them
      (`served_rules`), under a served process's collector settings
      (`slotwise.app.settle_heap`). Before 2026-12-04 it ran on the shuffled busy lists under
      the interpreter's default collector, which cost it some 15% more than the same work
      inside the server and flattered the ratio by as much; until 2026-12-06 it rounded start
      times in UTC, 2% less work than the served engine's (bench/README.md);
  (c) with PostgreSQL, that ratio with the CPU time of the backends serving the server's
      connections added ("postgresql+db CPU/eng"): PostgreSQL runs the busy read in its own
      process, SQLite inside the server's.

    python bench/availability.py [--runs 21] [--http-runs 41] [--oracle-runs 1]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from availability_engine import RULES, SIZES, Workload, as_served, make_workload, timed
from common import CpuClock
from serverproc import API_KEY, Server, reset_postgres
from sqlalchemy import create_engine, text

from slotwise.app import YOUNG_COLLECTION_THRESHOLD
from slotwise.availability import Rules, compute_availability, oracle_availability
from slotwise.availability_api.schemas import CalendarAvailabilityRequest
from slotwise.db.engine import Database, normalize_url
from slotwise.db.migrate import upgrade
from slotwise.db.models import Calendar, Grant
from slotwise.events.service import create_event
from slotwise.validation import validate_model

METHODS = ("collective", "max-availability")


def seed(db: Database, work: Workload) -> None:
    """Store every busy interval as an event on the person's primary calendar."""
    for person in work.participants:
        with db.session() as session:
            now = int(time.time())
            grant = Grant(
                id=person.email.split("@")[0],
                provider="virtual-calendar",
                email=person.email,
                scope=[],
                settings={},
                created_at=now,
                updated_at=now,
            )
            calendar = Calendar(
                id=f"{grant.id}-primary",
                grant_id=grant.id,
                name=person.email,
                is_primary=True,
                created_at=now,
                updated_at=now,
            )
            session.add(grant)
            session.flush()  # the calendar's foreign key needs the grant row first
            session.add(calendar)
            session.flush()
            for start, end in person.busy:
                body = {"title": "busy", "when": {"start_time": start, "end_time": end}}
                create_event(session, grant, calendar, body)


def store_workload(url: str, work: Workload) -> None:
    """Migrate `url`'s database and store the workload's busy time in it (`seed`)."""
    upgrade(url)
    db = Database(url)
    seed(db, work)
    db.dispose()


def request_body(work: Workload, method: str) -> dict[str, Any]:
    participants = []
    for person in work.participants:
        hours = person.open_hours[0]
        participants.append(
            {
                "email": person.email,
                "open_hours": [
                    {
                        "days": sorted((d + 1) % 7 for d in hours.days),  # v3: 0 = Sunday
                        "timezone": hours.timezone,
                        "start": f"{hours.start_minute // 60}:{hours.start_minute % 60:02d}",
                        "end": f"{hours.end_minute // 60}:{hours.end_minute % 60:02d}",
                    }
                ],
            }
        )
    return {
        "start_time": work.window_start,
        "end_time": work.window_end,
        "duration_minutes": RULES.duration // 60,
        "interval_minutes": (RULES.interval or RULES.duration) // 60,
        "round_to": RULES.round_to // 60,
        "participants": participants,
        "availability_rules": {"availability_method": method},
    }


def served_rules(body: dict[str, Any]) -> Rules:
    """The engine's rules for a `request_body` as the served endpoint reads them: v3 rounds
    start times in the first participant's open-hours zone (here New York), where `RULES`
    rounds in UTC (2% less work for the engine on the 50 x 31 case)."""
    return validate_model(CalendarAvailabilityRequest, body).rules()


class AvailabilityPoster:
    """`POST /v3/calendars/availability` of one body, again and again, on one keep-alive
    stdlib connection (a full-featured client spent as long parsing a megabyte-sized answer
    as the server took to build it)."""

    def __init__(self, port: int, body: dict[str, Any], *, timeout: float) -> None:
        self.payload = json.dumps(body).encode()
        self.headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def post(self) -> bytes:
        """One request; its whole body (exits on anything but 200)."""
        self.conn.request("POST", "/v3/calendars/availability", self.payload, self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {data[:300]!r}")
        return data

    def close(self) -> None:
        self.conn.close()


def database_backends(url: str) -> list[int]:
    """The PostgreSQL backends serving `url`'s database other than this query's own: the
    server's pooled connections, once it has answered a request."""
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [int(pid) for (pid,) in rows]
    finally:
        engine.dispose()


def http_cost(
    server: Server,
    body: dict[str, Any],
    runs: int,
    expected_slots: int,
    engine: Callable[[], object],
    database_url: str | None = None,
) -> tuple[float, float, float | None]:
    """(median wall ms, median of server CPU over engine CPU, the same with the database's
    CPU added or None) for `POST /v3/calendars/availability`.

    Sent by `AvailabilityPoster`, which reads the whole body. The server's CPU time (its
    process's CPU clock, every thread) is the figure to compare on a shared machine: wall
    time also counts waiting for the cores. Each request is paired with one call of `engine`
    here (the same work in process, on this process's CPU clock) just before it, and the
    ratio is taken pair by pair: the machine's speed drifts by a third from one half-minute to
    the next, which made the ratio of two separately timed runs swing from 1.3 to 2.2.

    With `database_url` (PostgreSQL) the third figure adds the CPU time of the backends
    serving the server's connections: SQLite runs the busy read in the server's own process,
    PostgreSQL in its backend, which the server's clock does not see.
    """
    poster = AvailabilityPoster(server.port, body, timeout=60)
    one = poster.post
    served = CpuClock(server.process.pid)
    # The served process collects its young generation this seldom (app.settle_heap): at the
    # interpreter's default the engine call here spent a tenth of its time in the collector.
    default_threshold = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *default_threshold[1:])
    try:
        got = len(json.loads(one())["data"]["time_slots"])  # also warms the process up
        if got != expected_slots:
            raise SystemExit(f"HTTP returned {got} slots, engine {expected_slots}")
        backends = (
            [CpuClock(pid) for pid in database_backends(database_url)] if database_url else []
        )

        def database_seconds() -> float:
            return sum(clock.seconds() for clock in backends)

        times, ratios, with_database = [], [], []
        for _ in range(runs):
            t0 = time.process_time()
            engine()
            engine_seconds = time.process_time() - t0
            cpu_before, db_before = served.seconds(), database_seconds()
            t0 = time.perf_counter()
            one()
            times.append((time.perf_counter() - t0) * 1000)
            server_seconds = served.seconds() - cpu_before
            ratios.append(server_seconds / engine_seconds)
            database = database_seconds() - db_before
            with_database.append((server_seconds + database) / engine_seconds)
    finally:
        gc.set_threshold(*default_threshold)
        poster.close()
    total = statistics.median(with_database) if backends else None
    return statistics.median(times), statistics.median(ratios), total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="engine runs per case (median)")
    parser.add_argument("--http-runs", type=int, default=41, help="HTTP requests per case")
    parser.add_argument("--oracle-runs", type=int, default=1, help="oracle runs per case")
    args = parser.parse_args(argv)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    stores = ["sqlite"] + (["postgresql"] if pg else [])
    header = (
        f"{'P':>3} {'D':>3} {'method':<17} {'slots':>6} {'engine ms':>10} {'oracle ms':>10}"
        f" {'oracle/engine':>13}"
        + "".join(f" {s + ' ms':>13} {s + ' CPU/eng':>14}" for s in stores)
        + (f" {'postgresql+db CPU/eng':>21}" if pg else "")
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for p, d in SIZES:
            work = make_workload(p, d)
            served_work = as_served(work)
            servers: list[tuple[Server, str | None]] = []
            for store in stores:
                url = f"sqlite:///{tmp}/bench-{p}-{d}.db" if store == "sqlite" else str(pg)
                if store == "postgresql":
                    reset_postgres(url)
                store_workload(url, work)
                servers.append((Server(url, tmp), url if store == "postgresql" else None))
            # Served processes freeze their start-up heap (app.py); do the same with the
            # seeding heap, so the engine's many small objects do not make the collector walk
            # the ORM's objects over and over, which no served request pays for.
            gc.collect()
            gc.freeze()
            try:
                for method in METHODS:
                    rules = replace(RULES, method=method)
                    fast, _, got = timed(
                        lambda r=rules, w=work: compute_availability(
                            w.participants, w.window_start, w.window_end, r
                        ),
                        args.runs,
                    )
                    slow, _, want = timed(
                        lambda r=rules, w=work: oracle_availability(
                            w.participants, w.window_start, w.window_end, r
                        ),
                        args.oracle_runs,
                    )
                    if got != want:
                        raise SystemExit(f"engine and oracle disagree for P={p} D={d} {method}")
                    body = request_body(work, method)
                    engine = partial(
                        compute_availability,
                        served_work.participants,
                        served_work.window_start,
                        served_work.window_end,
                        served_rules(body),
                    )
                    http = [
                        http_cost(server, body, args.http_runs, len(got.slots), engine, db_url)
                        for server, db_url in servers
                    ]
                    with_database = "".join(f" {t:>21.2f}" for _, _, t in http if t is not None)
                    print(
                        f"{p:>3} {d:>3} {method:<17} {len(got.slots):>6} {fast:>10.2f}"
                        f" {slow:>10.1f} {slow / fast:>13.0f}"
                        + "".join(f" {h:>13.1f} {ratio:>14.2f}" for h, ratio, _ in http)
                        + with_database
                    )
                print(f"    load average {os.getloadavg()[0]:.1f}")
            finally:
                for server, _ in servers:
                    server.stop()


if __name__ == "__main__":
    main()

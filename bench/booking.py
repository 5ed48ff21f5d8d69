"""Booking benchmark: many concurrent clients booking through HTTP, then a double-booking audit.

Setup (deterministic): H hosts, each with a virtual calendar and a one-on-one configuration
(30-minute slots, no notice), plus one round-robin pool of 3 more hosts. Two `slotwise serve`
processes share one database (SQLite file; PostgreSQL too when SLOTWISE_BENCH_DATABASE_URL is
set). C concurrent clients, alternating between the two servers, send
  * distinct requests: every (host, slot) once, so none should fail;
  * contended requests: K clients at once for each of S hot slots of the pool (at most 3 each
    can win), interleaved with the distinct ones.
It prints bookings/s (successful bookings over wall time), p50/p99 latency of all requests,
the 409s, and the double bookings found afterwards in the database (must be 0).

    python bench/booking.py [--hosts 40] [--per-host 50] [--hot 10] [--contenders 12]
                            [--clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Booking, Calendar, Event, Grant

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key"
SLOT = 1800


class Server:
    """A `slotwise serve` process on a free port (no in-process worker)."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = dict(
            os.environ,
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_API_KEY=API_KEY,
            PYTHONPATH=str(ROOT / "src"),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slotwise", "serve", "--port", str(self.port), "--no-worker"]
            + ["--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed_grants(db: Database, emails: list[str]) -> dict[str, str]:
    """Grants with one primary calendar each; returns email -> grant id."""
    now = int(time.time())
    out = {}
    with db.session() as session:
        for i, email in enumerate(emails):
            grant = Grant(
                id=f"g{i:04d}",
                provider="virtual-calendar",
                email=email,
                scope=[],
                settings={},
                created_at=now,
                updated_at=now,
            )
            session.add(grant)
            out[email] = grant.id
        session.flush()
        for email, grant_id in out.items():
            session.add(
                Calendar(
                    id=f"{grant_id}-primary",
                    grant_id=grant_id,
                    name=email,
                    is_primary=True,
                    created_at=now,
                    updated_at=now,
                )
            )
    return out


def config_body(emails: list[str], method: str | None) -> dict[str, Any]:
    participants = [
        {
            "email": email,
            "availability": {"calendar_ids": ["primary"]},
            "booking": {"calendar_id": "primary"},
            **({} if method else {"is_organizer": True}),
        }
        for email in emails
    ]
    availability: dict[str, Any] = {"duration_minutes": SLOT // 60}
    if method:
        availability["availability_rules"] = {"availability_method": method}
    return {
        "participants": participants,
        "availability": availability,
        "event_booking": {"title": "Bench", "timezone": "UTC"},
        "scheduler": {"min_booking_notice": 0, "available_days_in_future": 60},
    }


def setup(url: str, hosts: int) -> tuple[list[str], str, dict[str, str]]:
    upgrade(url)
    db = Database(url)
    host_emails = [f"host{i}@bench.example" for i in range(hosts)]
    pool_emails = [f"pool{i}@bench.example" for i in range(3)]
    grants = seed_grants(db, host_emails + pool_emails)
    db.dispose()
    return host_emails, pool_emails[0], grants


def create_configs(
    server_url: str, host_emails: list[str], pool_email: str, grants: dict[str, str]
) -> tuple[list[str], str]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=server_url, headers=headers, timeout=60) as client:
        ids = []
        for email in host_emails:
            response = client.post(
                f"/v3/grants/{grants[email]}/scheduling/configurations",
                json=config_body([email], None),
            )
            response.raise_for_status()
            ids.append(response.json()["data"]["id"])
        pool = [e for e in grants if e.startswith("pool")]
        response = client.post(
            f"/v3/grants/{grants[pool_email]}/scheduling/configurations",
            json=config_body(pool, "max-availability"),
        )
        response.raise_for_status()
        return ids, response.json()["data"]["id"]


async def run_load(
    urls: list[str], requests: list[tuple[str, int]], clients: int
) -> tuple[float, list[float], dict[int, int]]:
    queue: asyncio.Queue[tuple[int, tuple[str, int]]] = asyncio.Queue()
    for item in enumerate(requests):
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = defaultdict(int)

    async def worker(n: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=urls[n % len(urls)], timeout=120, limits=limits) as c:
            while True:
                try:
                    i, (config_id, start) = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                body = {
                    "start_time": start,
                    "end_time": start + SLOT,
                    "guest": {"email": f"guest{i}@example.com", "name": f"Guest {i}"},
                }
                t0 = time.perf_counter()
                response = await c.post(
                    "/v3/scheduling/bookings", params={"configuration_id": config_id}, json=body
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[response.status_code] += 1
                if response.status_code not in (200, 409):
                    print(f"unexpected {response.status_code}: {response.text[:300]}")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return time.perf_counter() - t0, latencies, dict(statuses)


def audit(url: str) -> tuple[int, int]:
    """(double bookings found, live bookings stored)."""
    db = Database(url)
    with db.session(write=False) as session:
        bookings = list(session.scalars(select(Booking).where(Booking.status != "cancelled")))
        events = list(session.scalars(select(Event).where(Event.status != "cancelled")))
    db.dispose()
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for b in bookings:
        for email in b.hosts:
            spans["person:" + email].append((b.start_ts, b.end_ts))
    for e in events:
        spans["calendar:" + e.calendar_id].append((e.start_ts, e.end_ts))
    doubles = 0
    for items in spans.values():
        items.sort()
        doubles += sum(1 for (_, end), (start, _) in itertools.pairwise(items) if start < end)
    return doubles, len(bookings)


def bench(store: str, url: str, tmp: Path, args: argparse.Namespace) -> None:
    host_emails, pool_email, grants = setup(url, args.hosts)
    servers = [Server(url, tmp) for _ in range(2)]
    try:
        config_ids, pool_id = create_configs(servers[0].url, host_emails, pool_email, grants)
        base = (int(time.time()) // 86400 + 2) * 86400
        distinct = [(cid, base + k * SLOT) for cid in config_ids for k in range(args.per_host)]
        hot = [(pool_id, base + k * SLOT) for k in range(args.hot)]
        contended = [slot for slot in hot for _ in range(args.contenders)]
        rng = random.Random(7)
        requests = distinct + contended
        rng.shuffle(requests)
        # Warm both processes (imports, pools) on a slot nobody else asks for.
        warm = [(config_ids[0], base + (args.per_host + n) * SLOT) for n in range(4)]
        asyncio.run(run_load([s.url for s in servers], warm, 4))
        wall, latencies, statuses = asyncio.run(
            run_load([s.url for s in servers], requests, args.clients)
        )
    finally:
        for server in servers:
            server.stop()
    doubles, stored = audit(url)
    ok = statuses.get(200, 0)
    expected = len(distinct) + min(3, args.contenders) * args.hot
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{store:<11} {len(requests):>8} {ok:>7} {statuses.get(409, 0):>6} {expected:>9}"
        f" {ok / wall:>11.0f} {q[49]:>8.1f} {q[98]:>8.1f} {doubles:>8}"
    )
    if doubles or ok != expected or stored != ok + len(warm):
        raise SystemExit(
            f"FAILED on {store}: {ok} booked, {expected} expected, {stored} stored,"
            f" {doubles} double bookings, statuses {statuses}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=int, default=40, help="one-on-one hosts")
    parser.add_argument("--per-host", type=int, default=50, help="distinct slots per host")
    parser.add_argument("--hot", type=int, default=10, help="hot round-robin slots")
    parser.add_argument("--contenders", type=int, default=12, help="requests per hot slot")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--stores", default="sqlite,postgresql", help="which databases to run")
    args = parser.parse_args(argv)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    stores = [s for s in args.stores.split(",") if s == "sqlite" or (s == "postgresql" and pg)]
    print(
        f"{'database':<11} {'requests':>8} {'booked':>7} {'409':>6} {'possible':>9}"
        f" {'bookings/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'doubles':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for store in stores:
            if store == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
            else:
                url = str(pg)
                reset_postgres(url)
            bench(store, url, tmp, args)


if __name__ == "__main__":
    main()

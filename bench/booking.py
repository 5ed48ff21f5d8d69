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
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from common import SLOT, cpu_of, create_configs, run_load, setup, stores
from serverproc import Server
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Event


def _postgres_backends(database: str) -> list[int]:
    """Pids of the local PostgreSQL backends connected to `database`."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(b"postgres: ") and f" {database} ".encode() in cmdline:
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds spent during the load by the servers and by PostgreSQL's backends.

    Backends come and go with the connection pools, so they are sampled a few times a second
    (the last sample of each counts): an estimate, good to a few percent.
    """

    def __init__(self, server_pids: list[int], database: str | None) -> None:
        self.server_pids = server_pids
        self.database = database
        self.servers_before = sum(cpu_of(p) or 0.0 for p in server_pids)
        self.backends: dict[int, tuple[float, float]] = {}  # pid -> (first, last) CPU seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._sample_once()
        self._thread.start()

    def _sample_once(self) -> None:
        if self.database is None:
            return
        for pid in _postgres_backends(self.database):
            cpu = cpu_of(pid)
            if cpu is not None:
                first = self.backends.get(pid, (cpu, cpu))[0]
                self.backends[pid] = (first, cpu)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self._sample_once()

    def stop(self) -> tuple[float, float]:
        """(servers' CPU seconds, PostgreSQL backends' CPU seconds) since the start."""
        self._stop.set()
        self._thread.join()
        self._sample_once()
        servers = sum(cpu_of(p) or 0.0 for p in self.server_pids) - self.servers_before
        return servers, sum(last - first for first, last in self.backends.values())


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
        # Warm both processes (imports, connection pools) on slots nobody else asks for.
        warm = [
            (config_ids[n % len(config_ids)], base + (args.per_host + n // len(config_ids)) * SLOT)
            for n in range(args.clients)
        ]
        asyncio.run(run_load(servers, warm, args.clients))
        database = url.rsplit("/", 1)[-1].split("?")[0] if store == "postgresql" else None
        meter = CpuMeter([s.process.pid for s in servers], database)
        client_before = time.process_time()
        wall, latencies, statuses = asyncio.run(run_load(servers, requests, args.clients))
        client_cpu = time.process_time() - client_before
        server_cpu, postgres_cpu = meter.stop()
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
    n = len(requests)
    print(
        f"{'':<11} CPU ms per request: servers {1000 * server_cpu / n:.1f},"
        f" client {1000 * client_cpu / n:.1f}"
        + (f", PostgreSQL ~{1000 * postgres_cpu / n:.1f}" if database else "")
        + f" (load average {os.getloadavg()[0]:.1f})"
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
    print(
        f"{'database':<11} {'requests':>8} {'booked':>7} {'409':>6} {'possible':>9}"
        f" {'bookings/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'doubles':>8}"
    )
    for store, url, tmp in stores(args):
        bench(store, url, tmp, args)


if __name__ == "__main__":
    main()

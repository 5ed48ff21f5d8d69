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
import json
import os
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from serverproc import API_KEY, Server, reset_postgres
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Booking, Calendar, Event, Grant

SLOT = 1800


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


def encode_requests(requests: list[tuple[str, int]]) -> list[bytes]:
    """Each booking as the bytes of one HTTP/1.1 request, built before the clock starts."""
    out = []
    for i, (config_id, start) in enumerate(requests):
        body = json.dumps(
            {
                "start_time": start,
                "end_time": start + SLOT,
                "guest": {"email": f"guest{i}@example.com", "name": f"Guest {i}"},
            }
        ).encode()
        head = (
            f"POST /v3/scheduling/bookings?configuration_id={config_id} HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(status, body) of one HTTP/1.1 response with a Content-Length (all Slotwise sends)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def run_load(
    servers: list[Server], requests: list[tuple[str, int]], clients: int
) -> tuple[float, list[float], dict[int, int]]:
    """Send every request over `clients` keep-alive connections; (wall s, latencies, statuses).

    A plain asyncio HTTP/1.1 client rather than a full-featured one: the client shares the
    machine's cores with the servers and PostgreSQL, so every millisecond it spends per request
    is taken from them. Each request is still a real HTTP request over TCP, timed one by one.
    """
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for item in encode_requests(requests):
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = defaultdict(int)

    async def worker(n: int) -> None:
        server = servers[n % len(servers)]
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            while True:
                try:
                    raw = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                writer.write(raw)
                status, body = await read_response(reader)
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[status] += 1
                if status not in (200, 409):
                    print(f"unexpected {status}: {body[:300]!r}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return time.perf_counter() - t0, latencies, dict(statuses)


def _cpu_of(pid: int) -> float | None:
    """User + system CPU seconds used so far by a process (Linux /proc), None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        self.servers_before = sum(_cpu_of(p) or 0.0 for p in server_pids)
        self.backends: dict[int, tuple[float, float]] = {}  # pid -> (first, last) CPU seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._sample_once()
        self._thread.start()

    def _sample_once(self) -> None:
        if self.database is None:
            return
        for pid in _postgres_backends(self.database):
            cpu = _cpu_of(pid)
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
        servers = sum(_cpu_of(p) or 0.0 for p in self.server_pids) - self.servers_before
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

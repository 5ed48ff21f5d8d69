"""The set-up the booking-driven benchmarks share: seeded grants, configurations made through
the API, a lean HTTP/1.1 booking load, and the databases a run covers."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from serverproc import API_KEY, Server, reset_postgres

from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Calendar, Grant

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


def config_body(
    emails: Sequence[str], method: str | None, *, days_in_future: int = 60
) -> dict[str, Any]:
    """A configuration of `emails` (one-on-one with an organizer, or pooled by `method`)."""
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
        "scheduler": {"min_booking_notice": 0, "available_days_in_future": days_in_future},
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


def cpu_of(pid: int) -> float | None:
    """User + system CPU seconds used so far by a process (Linux /proc), None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuClock:
    """Another process's CPU time (all its threads, user + system) to the nanosecond.

    /proc's figures (`cpu_of`) count whole clock ticks, 10 ms, as long as one large request;
    the kernel's per-process CPU clock (clock_getcpuclockid(3)) is exact, so one request's
    cost can be read on its own and paired with an in-process measurement of the same moment.
    """

    def __init__(self, pid: int) -> None:
        clock = ctypes.c_int()
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
            raise OSError(ctypes.get_errno(), f"no CPU clock for process {pid}")
        self.clock_id = clock.value

    def seconds(self) -> float:
        return time.clock_gettime(self.clock_id)


def stores(args: argparse.Namespace) -> Iterator[tuple[str, str, Path]]:
    """(store, emptied database URL, scratch directory) for each of `--stores` that can run:
    SQLite always, PostgreSQL when SLOTWISE_BENCH_DATABASE_URL is set."""
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    chosen = [s for s in args.stores.split(",") if s == "sqlite" or (s == "postgresql" and pg)]
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for store in chosen:
            if store == "sqlite":
                yield store, f"sqlite:///{tmp}/bench.db", tmp
            else:
                reset_postgres(str(pg))
                yield store, str(pg), tmp

"""Load benchmark: mixed traffic with webhooks on, against 1, 2 and 4 server processes.

Per process count, on a freshly reset PostgreSQL (SLOTWISE_BENCH_DATABASE_URL, required):
  * H one-on-one hosts (a grant, a primary calendar, a configuration each);
  * N `slotwise serve --no-worker` processes and one `slotwise worker` process;
  * one webhook destination for booking.created / rescheduled / cancelled pointing at a local
    receiver (a threaded HTTP server in this process, answering at once);
  * C concurrent clients (one keep-alive connection each, spread over the N servers) for a
    fixed duration, each request drawn from a seeded mix: availability of a host for a week
    (50 %), a booking of a free slot (30 %), a reschedule of one of the run's bookings to a free
    slot (10 %), a cancel of one (10 %).
Printed per row: requests/s, p50/p99 per kind, and the delivery lag of every webhook the
mutations caused (receiver arrival minus the moment the client had the response), once the
worker has delivered them all.

    SLOTWISE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/slotwise_load \\
        python bench/load.py [--processes 1,2,4] [--seconds 30] [--clients 16] [--hosts 40]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from common import SLOT, config_body, read_response, seed_grants
from serverproc import API_KEY, ROOT, Server, reset_postgres

from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade

DAY = 86400
TRIGGERS = ["booking.created", "booking.rescheduled", "booking.cancelled"]


class Receiver:
    """A webhook endpoint on loopback: echoes the challenge, records each arrival."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, str], float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                value = parse_qs(urlsplit(self.path).query).get("challenge", [""])[0].encode()
                self._answer(value)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                at = time.monotonic()
                key = (body["type"], body["data"]["object"]["booking_id"])
                receiver.arrivals.setdefault(key, at)
                self._answer(b"ok")

            def _answer(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()


class WorkerProcess:
    """One `slotwise worker` process on the same database."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        env = dict(
            os.environ,
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_API_KEY=API_KEY,
            PYTHONPATH=str(ROOT / "src"),
            SLOTWISE_WORKER_POLL_SECONDS="0.2",
            # The webhook receiver is on loopback, which the outbound policy refuses by default.
            SLOTWISE_OUTBOUND_ALLOW="127.0.0.0/8,::1",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slotwise", "worker", "--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Mix:
    """The run's state: free slots per configuration, the bookings made, what is expected."""

    def __init__(self, config_ids: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        base = (int(time.time()) // DAY + 2) * DAY
        self.slots: Iterator[tuple[str, int]] = (
            (cid, base + k * SLOT) for k in itertools.count() for cid in config_ids
        )
        self.config_ids = config_ids
        self.booked: list[tuple[str, str]] = []  # (booking id, configuration id), movable
        self.done: dict[tuple[str, str], float] = {}  # (trigger, booking id) -> response time
        self.week = base

    def request(self) -> tuple[str, bytes, Any]:
        """(kind, raw request, context for the response)."""
        roll = self.rng.random()
        if roll < 0.5 or (roll >= 0.8 and not self.booked):
            cid = self.rng.choice(self.config_ids)
            path = (
                f"/v3/scheduling/availability?configuration_id={cid}"
                f"&start_time={self.week}&end_time={self.week + 7 * DAY}"
            )
            return "availability", _raw("GET", path, None), None
        if roll < 0.8:
            cid, start = next(self.slots)
            body = {
                "start_time": start,
                "end_time": start + SLOT,
                "guest": {"email": "guest@example.org", "name": "Guest"},
            }
            path = f"/v3/scheduling/bookings?configuration_id={cid}"
            return "booking", _raw("POST", path, body), cid
        booking_id, cid = self.booked.pop(self.rng.randrange(len(self.booked)))
        if roll < 0.9:
            start = self._free_slot_of(cid)
            body = {"start_time": start, "end_time": start + SLOT}
            path = f"/v3/scheduling/bookings/{booking_id}"
            return "reschedule", _raw("PATCH", path, body), booking_id
        path = f"/v3/scheduling/bookings/{booking_id}"
        return "cancel", _raw("DELETE", path, {}), booking_id

    def _free_slot_of(self, cid: str) -> int:
        while True:
            other, start = next(self.slots)
            if other == cid:
                return start

    def answered(self, kind: str, status: int, body: bytes, context: Any, at: float) -> None:
        if status != 200:
            raise SystemExit(f"{kind}: HTTP {status} {body[:300]!r}")
        if kind == "booking":
            booking_id = json.loads(body)["data"]["booking_id"]
            self.booked.append((booking_id, context))
            self.done[("booking.created", booking_id)] = at
        elif kind == "reschedule":
            self.done[("booking.rescheduled", context)] = at
        elif kind == "cancel":
            self.done[("booking.cancelled", context)] = at


def _raw(method: str, path: str, body: dict[str, Any] | None) -> bytes:
    data = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def run_mix(
    servers: list[Server], mix: Mix, clients: int, seconds: float
) -> tuple[float, dict[str, list[float]]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        server = servers[n % len(servers)]
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            while time.monotonic() < deadline:
                kind, raw, context = mix.request()
                t0 = time.perf_counter()
                writer.write(raw)
                status, body = await read_response(reader)
                latencies[kind].append((time.perf_counter() - t0) * 1000)
                mix.answered(kind, status, body, context, time.monotonic())
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return time.perf_counter() - t0, latencies


def setup(url: str, hosts: int, server: Server, receiver: Receiver) -> list[str]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    emails = [f"host{i}@load.example" for i in range(hosts)]
    db = Database(url)
    grants = seed_grants(db, emails)
    db.dispose()
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        made = client.post(
            "/v3/webhooks", json={"trigger_types": TRIGGERS, "webhook_url": receiver.url}
        )
        made.raise_for_status()
        ids = []
        for email in emails:
            response = client.post(
                f"/v3/grants/{grants[email]}/scheduling/configurations",
                json=config_body([email], None),
            )
            response.raise_for_status()
            ids.append(response.json()["data"]["id"])
    return ids


def wait_for_deliveries(mix: Mix, receiver: Receiver, timeout: float) -> float:
    """Seconds after the load until every expected webhook arrived (or the timeout)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if all(key in receiver.arrivals for key in mix.done):
            break
        time.sleep(0.2)
    return time.monotonic() - t0


def bench(url: str, processes: int, args: argparse.Namespace, tmp: Path) -> None:
    reset_postgres(url)
    upgrade(url)
    receiver = Receiver()
    servers = [Server(url, tmp) for _ in range(processes)]
    worker = WorkerProcess(url, tmp)
    try:
        config_ids = setup(url, args.hosts, servers[0], receiver)
        mix = Mix(config_ids, seed=processes)
        # Warm-up, not counted: until its webhooks arrive, so the worker is up and delivering.
        asyncio.run(run_mix(servers, mix, args.clients, 3))
        wait_for_deliveries(mix, receiver, 300)
        mix.done.clear()
        receiver.arrivals.clear()
        wall, latencies = asyncio.run(run_mix(servers, mix, args.clients, args.seconds))
        drained = wait_for_deliveries(mix, receiver, 300)
    finally:
        for server in servers:
            server.stop()
        worker.stop()
        receiver.stop()
    total = sum(len(v) for v in latencies.values())
    lags = [receiver.arrivals[k] - at for k, at in mix.done.items() if k in receiver.arrivals]
    missing = len(mix.done) - len(lags)
    parts = []
    for kind in ("availability", "booking", "reschedule", "cancel"):
        values = latencies.get(kind, [])
        if len(values) >= 2:
            q = statistics.quantiles(values, n=100)
            parts.append(f"{kind} {len(values)} p50 {q[49]:.0f} p99 {q[98]:.0f}")
    lag_q = statistics.quantiles(lags, n=100) if len(lags) >= 2 else [0.0] * 99
    print(
        f"{processes} process(es): {total / wall:.0f} req/s over {wall:.0f} s"
        f" (load average {os.getloadavg()[0]:.1f})\n    " + "; ".join(parts) + " (ms)\n"
        f"    webhooks {len(lags)} delivered, {missing} missing; lag p50 {lag_q[49]:.2f} s,"
        f" p99 {lag_q[98]:.2f} s, max {max(lags, default=0):.2f} s;"
        f" drained {drained:.1f} s after the load",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--hosts", type=int, default=40)
    args = parser.parse_args(argv)
    url = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    if not url:
        raise SystemExit("set SLOTWISE_BENCH_DATABASE_URL to a disposable PostgreSQL database")
    with tempfile.TemporaryDirectory() as tmp_dir:
        for processes in (int(p) for p in args.processes.split(",")):
            bench(url, processes, args, Path(tmp_dir))


if __name__ == "__main__":
    main()

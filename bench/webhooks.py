"""Webhook benchmark: can one worker deliver as fast as the servers book?

In one run, per database:
  1. baseline: C concurrent clients book N distinct slots through two `slotwise serve
     --no-worker` processes (the booking benchmark's setup and client), with one webhook
     destination subscribed to booking.created: the booking rate, and N notifications waiting;
  2. drain: one `slotwise worker` process delivers that backlog to a local receiver (a plain
     asyncio HTTP server in its own process that answers at once): deliveries/s;
  3. sustained: N more bookings while the worker runs: the backlog and the delivery lag
     (notification commit to receipt) while booking at full speed.
Every half second it prints the backlog (notifications not fanned out, webhook deliveries
pending) and the age of the oldest pending one.

    python bench/webhooks.py [--bookings 3000] [--clients 32] [--stores sqlite,postgresql]
    SLOTWISE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/slotwise_bench ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from common import SLOT, cpu_of, create_configs, run_load, setup, stores
from serverproc import API_KEY, ROOT, Server

from slotwise.db.engine import Database
from slotwise.notifications import stats_repository as stats


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the receiver -----------------------------------------------------------------------------
def _receiver_main(port: int) -> None:
    """Answer challenges, count POSTs and keep each one's lag (receipt minus the notification
    id's nanosecond timestamp, i.e. its creation inside the booking transaction)."""
    lags: list[float] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method, target = lines[0].split(b" ")[:2]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                if method == b"POST":
                    at = time.time_ns()
                    start = body.index(b'"id":"') + 6
                    lags.append((at - int(body[start : start + 16], 16)) / 1e9)
                    answer = b"ok"
                elif target.startswith(b"/count"):
                    answer = b"%d" % len(lags)
                elif target.startswith(b"/lags"):
                    answer = json.dumps(lags).encode()
                else:  # the challenge: echo its value
                    answer = target.split(b"challenge=", 1)[-1]
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


class Receiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.process = multiprocessing.get_context("spawn").Process(
            target=_receiver_main, args=(self.port,), daemon=True
        )
        self.process.start()
        self.client = httpx.Client(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.count()
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise SystemExit("receiver did not start")

    def count(self) -> int:
        return int(self.client.get(f"http://127.0.0.1:{self.port}/count").text)

    def lags(self) -> list[float]:
        """Seconds from each notification's creation to its receipt, in receipt order."""
        return list(self.client.get(f"http://127.0.0.1:{self.port}/lags").json())

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.join(5)


# -- the worker -------------------------------------------------------------------------------
class WorkerProcess:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        env = dict(
            os.environ,
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_DATA_DIR=str(data_dir),
            # The receiver is on loopback, which the outbound policy refuses by default.
            SLOTWISE_OUTBOUND_ALLOW="127.0.0.0/8,::1",
            PYTHONPATH=str(ROOT / "src"),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slotwise", "worker"], env=env, stdout=subprocess.DEVNULL
        )

    def cpu(self) -> float:
        return cpu_of(self.process.pid) or 0.0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- measuring --------------------------------------------------------------------------------
def backlog(db: Database) -> tuple[int, int, int]:
    """(notifications not fanned out, webhook deliveries pending, oldest pending age s)."""
    with db.session(write=False) as session:
        kinds = {b.kind: b for b in stats.outbox_backlog_by_kind(session, int(time.time()))}
    outbox, webhook = kinds["outbox"], kinds["webhook"]
    return outbox.depth, webhook.depth, max(outbox.oldest_age_seconds, webhook.oldest_age_seconds)


def watch(db: Database, receiver: Receiver, label: str, until: int, t0: float) -> float:
    """Print the backlog every half second until the receiver has `until` deliveries;
    returns the time of the last sample."""
    while True:
        outbox, pending, age = backlog(db)
        got = receiver.count()
        now = time.perf_counter()
        print(
            f"  {label:<9} t={now - t0:6.1f}s  not fanned out {outbox:>6}  pending {pending:>6}"
            f"  oldest {age:>4}s  received {got:>6}",
            flush=True,
        )
        if got >= until:
            return now
        time.sleep(0.5)


def book(
    servers: list[Server], config_ids: list[str], first: int, count: int, clients: int
) -> tuple[float, int]:
    """Book `count` distinct slots, each host's from its slot number `first` on;
    (wall seconds, booked)."""
    base = (int(time.time()) // 86400 + 2) * 86400
    per = -(-count // len(config_ids))
    requests = [(cid, base + (first + k) * SLOT) for k in range(per) for cid in config_ids]
    requests = requests[:count]
    wall, _latencies, statuses = asyncio.run(run_load(servers, requests, clients))
    return wall, statuses.get(200, 0)


def bench(store: str, url: str, tmp: Path, args: argparse.Namespace) -> None:
    host_emails, pool_email, grants = setup(url, args.hosts)
    db = Database(url)
    servers = [Server(url, tmp) for _ in range(2)]
    receiver = Receiver()
    worker: WorkerProcess | None = None
    try:
        config_ids, _pool_id = create_configs(servers[0].url, host_emails, pool_email, grants)
        created = httpx.post(
            servers[0].url + "/v3/webhooks",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"trigger_types": ["booking.created"], "webhook_url": receiver.url},
            timeout=30,
        )
        created.raise_for_status()
        per_host = -(-args.bookings // len(config_ids))
        # Warm-up (imports, pools) on slots after both phases', before any worker runs.
        book(servers, config_ids, 2 * per_host, args.clients, args.clients)
        warm = args.clients
        # 1. Baseline: booking with no worker running.
        wall, booked = book(servers, config_ids, 0, args.bookings, args.clients)
        booking_rate = booked / wall
        print(f"{store}: {booked} bookings in {wall:.1f} s = {booking_rate:.0f} bookings/s")
        # 2. Drain the backlog with one worker process.
        t0 = time.perf_counter()
        worker = WorkerProcess(url, tmp)
        cpu0 = worker.cpu()
        while receiver.count() == 0:
            time.sleep(0.01)
        first = time.perf_counter()
        done = watch(db, receiver, "drain", warm + booked, t0)
        delivered = warm + booked
        drain_rate = delivered / (done - first)
        cpu = worker.cpu() - cpu0
        print(
            f"{store}: drained {delivered} deliveries in {done - first:.1f} s after the first"
            f" ({done - t0:.1f} s with the worker's start) = {drain_rate:.0f} deliveries/s;"
            f" worker CPU {1000 * cpu / delivered:.2f} ms per delivery"
        )
        # 3. Sustained: book while the worker delivers.
        before = receiver.count()
        t1 = time.perf_counter()
        peak = [0]

        def sample() -> None:
            outbox, pending, _ = backlog(db)
            peak[0] = max(peak[0], outbox + pending)

        stop = threading.Event()

        def sampler() -> None:
            while not stop.wait(0.5):
                sample()

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        wall2, booked2 = book(servers, config_ids, per_host, args.bookings, args.clients)
        stop.set()
        thread.join()
        print(
            f"{store}: {booked2} bookings in {wall2:.1f} s = {booked2 / wall2:.0f} bookings/s"
            f" with the worker running; peak backlog {peak[0]}"
        )
        end = watch(db, receiver, "sustained", before + booked2, t1)
        lags = receiver.lags()[before:]
        q = statistics.quantiles(lags, n=100)
        print(
            f"{store}: all delivered {end - t1 - wall2:.1f} s after the last booking;"
            f" delivery lag p50 {q[49]:.2f} s, p99 {q[98]:.2f} s, max {max(lags):.2f} s"
            f" (load average {os.getloadavg()[0]:.1f})"
        )
        print(
            f"RESULT {store}: bookings/s {booking_rate:.0f}, deliveries/s {drain_rate:.0f}"
            f" ({drain_rate / booking_rate:.1f}x)"
        )
    finally:
        if worker is not None:
            worker.stop()
        for server in servers:
            server.stop()
        receiver.stop()
        db.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=int, default=40, help="one-on-one hosts")
    parser.add_argument("--bookings", type=int, default=3000, help="bookings per phase")
    parser.add_argument("--clients", type=int, default=32, help="concurrent booking clients")
    parser.add_argument("--stores", default="sqlite,postgresql", help="which databases to run")
    args = parser.parse_args(argv)
    for store, url, tmp in stores(args):
        bench(store, url, tmp, args)


if __name__ == "__main__":
    main()

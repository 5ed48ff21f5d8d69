"""Two `slotwise serve` processes, each with its in-process worker, plus a `slotwise worker`
process, over one database: bookings made through both servers are all delivered, and no
attempt (notification id, attempt number) reaches the receiver twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from slotwise.db.engine import Database
from tests.conftest import API_KEY, LOOPBACK
from tests.support.scheduling import HOUR, book, config_body, future_hour, make_grant, participant
from tests.support.server import free_port
from tests.support.waiting import DEADLINE, wait_until
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
BOOKINGS = 12


def start(database_url: str, data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        SLOTWISE_DATABASE_URL=database_url,
        SLOTWISE_DATA_DIR=str(data_dir),
        SLOTWISE_API_KEY=API_KEY,
        SLOTWISE_RUN_WORKER="true",
        SLOTWISE_OUTBOUND_ALLOW=",".join(LOOPBACK),  # test receivers are on loopback
        SLOTWISE_WORKER_POLL_SECONDS="0.05",
        SLOTWISE_WEBHOOK_RETRY_BASE_SECONDS="0.05",
        SLOTWISE_WEBHOOK_RETRY_MAX_SECONDS="0.3",
        SLOTWISE_WEBHOOK_MAX_ATTEMPTS="1000",
        SLOTWISE_WEBHOOK_TIMEOUT_SECONDS="2",
        SLOTWISE_WORKER_LEASE_SECONDS="10",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "slotwise", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def ready(url: str) -> None:
    def answering() -> bool:
        try:
            return httpx.get(url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answering, f"{url} to answer", interval=0.1)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop gracefully (each finishes what it has in flight), or kill after the deadline."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_servers_and_a_worker_never_repeat_an_attempt(
    db: Database, database_url: str, tmp_path: Path, new_client: Callable[..., httpx.Client]
) -> None:
    receiver = Receiver().start()
    receiver.mode = "flaky"
    ports = [free_port(), free_port()]
    processes = [start(database_url, tmp_path, "serve", "--port", str(port)) for port in ports]
    processes.append(start(database_url, tmp_path, "worker"))
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            ready(url)
        clients = [new_client(url, headers={"Authorization": f"Bearer {API_KEY}"}) for url in urls]
        created = clients[0].post(
            "/v3/webhooks",
            json={
                "trigger_types": ["booking.created", "event.created"],
                "webhook_url": receiver.url,
            },
        )
        assert created.status_code == 200, created.text
        receiver.secret = created.json()["data"]["webhook_secret"]
        grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
        body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
        config = clients[1].post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
        assert config.status_code == 200, config.text
        config_id = config.json()["data"]["id"]
        first = future_hour(2, 8)
        for n in range(BOOKINGS):
            response = book(clients[n % 2], config_id, first + n * HOUR)
            assert response.status_code == 200, response.text
        wait_until(
            lambda: len({r.id for r in receiver.received}) >= 2 * BOOKINGS, "every notification"
        )
        # Stopped, the processes have finished what they had in flight: a repeat would be in.
        stop_all(processes)
        ids = {r.id for r in receiver.received}
        assert len(ids) == 2 * BOOKINGS
        pairs = Counter((r.id, r.attempt) for r in receiver.received)
        assert max(pairs.values()) == 1, "an attempt was delivered twice"
        assert receiver.failed_posts > 0 and receiver.bad_signatures == 0
    finally:
        stop_all(processes)
        receiver.stop()

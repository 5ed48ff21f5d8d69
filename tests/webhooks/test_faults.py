"""Faults: receiver down, then failing, then back; a worker process killed mid-delivery;
several workers at once. Every committed notification arrives, in order per booking, and no
attempt is ever made twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import DeliveryAttempt
from slotwise.notifications import record
from slotwise.worker import Worker
from tests.conftest import LOOPBACK
from tests.support.waiting import DEADLINE, wait_until
from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = ["booking.created", "booking.rescheduled", "booking.cancelled"]


def subscribe(api: httpx.Client, receiver: Receiver) -> None:
    response = api.post(
        "/v3/webhooks", json={"trigger_types": TRIGGERS, "webhook_url": receiver.url}
    )
    assert response.status_code == 200, response.text
    receiver.secret = response.json()["data"]["webhook_secret"]


def record_history(db: Database, bookings: int) -> dict[str, list[str]]:
    """created → rescheduled → cancelled for each booking, one transaction per change."""
    expected: dict[str, list[str]] = {}
    for trigger in TRIGGERS:
        for n in range(bookings):
            with db.session() as session:
                message = record(session, trigger, {"booking_id": f"b{n}", "booking_info": {}})
            expected.setdefault(f"b{n}", []).append(message.id)
    return expected


def check(receiver: Receiver, expected: dict[str, list[str]]) -> None:
    pairs = Counter((r.id, r.attempt) for r in receiver.received)
    assert max(pairs.values()) == 1, "an attempt was delivered twice"
    for booking_id, ids in expected.items():
        first_seen: list[str] = []
        for r in receiver.received:
            if r.object["booking_id"] == booking_id and r.id not in first_seen:
                first_seen.append(r.id)
        assert first_seen == ids, f"{booking_id}: out of order or missing"
    assert receiver.bad_signatures == 0


def worker_process(database_url: str, settings: Settings) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        SLOTWISE_DATABASE_URL=database_url,
        # The test server's data dir: its key file seals the webhook secrets the worker signs with.
        SLOTWISE_DATA_DIR=str(settings.data_dir),
        SLOTWISE_WORKER_POLL_SECONDS="0.05",
        SLOTWISE_OUTBOUND_ALLOW=",".join(LOOPBACK),  # test receivers are on loopback
        SLOTWISE_WEBHOOK_RETRY_BASE_SECONDS="0.05",
        SLOTWISE_WEBHOOK_RETRY_MAX_SECONDS="0.3",
        SLOTWISE_WEBHOOK_MAX_ATTEMPTS="1000",
        SLOTWISE_WORKER_LEASE_SECONDS="2",
    )
    # The worker's log is kept beside the test's data, so that a wait that times out can say
    # what the worker was doing (`wait_for_worker`).
    with open(worker_log(settings), "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "slotwise", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
        )


def worker_log(settings: Settings) -> Path:
    return Path(settings.data_dir) / "worker-stderr.log"


def wait_for_worker(
    process: subprocess.Popen[bytes], settings: Settings, condition: Callable[[], object], what: str
) -> None:
    """`wait_until`, failing with the worker's exit status and the end of its log."""
    try:
        wait_until(condition, what)
    except AssertionError as exc:
        tail = worker_log(settings).read_text(errors="replace")[-4000:]
        raise AssertionError(
            f"{exc}; worker exit status {process.poll()}, its log:\n{tail}"
        ) from exc


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(DEADLINE)
    if process.stdout is not None:
        process.stdout.close()


def attempts(db: Database) -> int:
    with db.session(write=False) as session:
        return len(session.scalars(select(DeliveryAttempt.id)).all())


def test_down_then_500_then_killed_mid_delivery_loses_nothing(
    api: httpx.Client,
    db: Database,
    database_url: str,
    receiver: Receiver,
    base_settings: Settings,
) -> None:
    subscribe(api, receiver)
    receiver.stop()  # down: connections refused
    expected = record_history(db, bookings=3)
    process = worker_process(database_url, base_settings)
    try:
        # Down: the worker's attempts meet refused connections (and are recorded as such).
        wait_for_worker(
            process,
            base_settings,
            lambda: attempts(db) >= 1,
            "an attempt at the receiver while it is down",
        )
        receiver.mode = "error"
        receiver.start()
        wait_until(lambda: receiver.failed_posts >= 3, "500 answers")
        receiver.mode, receiver.delay = "slow", 5.0
        wait_until(lambda: receiver.in_flight >= 1, "a delivery in flight")
        process.send_signal(signal.SIGKILL)
        process.wait(DEADLINE)
        if process.stdout is not None:
            process.stdout.close()
        receiver.mode = "ok"
        process = worker_process(database_url, base_settings)
        wait_for_worker(
            process,
            base_settings,
            lambda: len({r.id for r in receiver.received}) >= 9,
            "every notification",
        )
    finally:
        stop(process)
    check(receiver, expected)


def test_worker_process_stops_cleanly_on_sigterm(
    database_url: str, db: Database, base_settings: Settings
) -> None:
    process = worker_process(database_url, base_settings)
    assert process.stdout is not None
    # The line comes after the signal handlers are in place.
    assert process.stdout.readline().startswith(b"Slotwise worker running")
    process.send_signal(signal.SIGTERM)
    assert process.wait(DEADLINE) == 0
    process.stdout.close()


@pytest.mark.parametrize("workers", [4])
def test_several_workers_never_repeat_an_attempt(
    api: httpx.Client, db: Database, settings: object, workers: int
) -> None:
    receivers = [Receiver().start() for _ in range(2)]
    try:
        for r in receivers:
            subscribe(api, r)
            r.mode = "flaky"
        expected = record_history(db, bookings=10)
        stop = threading.Event()
        databases = [Database(db.url) for _ in range(workers)]  # one engine each, like processes
        threads = [
            threading.Thread(
                target=Worker(database, settings, FAST).run,  # type: ignore[arg-type]
                args=(stop,),
                daemon=True,
            )
            for database in databases
        ]
        for t in threads:
            t.start()
        try:
            for r in receivers:

                def all_received(r: Receiver = r) -> bool:
                    return len({x.id for x in r.received}) >= 30

                wait_until(all_received, "all notifications")
        finally:
            stop.set()
            for t in threads:
                t.join(DEADLINE)
            for database in databases:
                database.dispose()
        for r in receivers:
            check(r, expected)
            assert r.failed_posts > 0
    finally:
        for r in receivers:
            r.stop()

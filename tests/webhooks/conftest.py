"""Fixtures for webhook tests: a receiver, a fast delivery policy, a worker runner."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator

import pytest

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.webhooks.policy import DeliveryPolicy
from slotwise.worker import Worker
from tests.support.waiting import DEADLINE, wait_until
from tests.webhooks.receiver import Receiver

FAST = DeliveryPolicy(
    retry_base_seconds=0.05,
    retry_max_seconds=0.4,
    max_attempts=8,
    request_timeout_seconds=5,
    lease_seconds=2,
    failing_after_seconds=3600,
    failed_after_seconds=3600,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def settings(base_settings: Settings, database_url: str) -> Settings:
    return dataclasses.replace(base_settings, database_url=database_url, worker_poll_seconds=0.05)


@pytest.fixture
def run_worker(db: Database, settings: Settings) -> Callable[..., None]:
    """Run passes of a worker until `until()` is true (or fail after `timeout`)."""

    def run(
        until: Callable[[], bool],
        *,
        policy: DeliveryPolicy = FAST,
        timeout: float = DEADLINE,
        settings_: Settings | None = None,
    ) -> None:
        # Closing the worker records the attempts still in flight, so the database agrees
        # with what the receiver saw once this returns.
        with Worker(db, settings_ or settings, policy) as worker:

            def passed() -> bool:
                worker.run_once()
                return until()

            wait_until(passed, "the worker to reach the expected state", timeout=timeout)

    return run


class ThreadedWorker:
    def __init__(self, db: Database, settings: Settings, policy: DeliveryPolicy) -> None:
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=Worker(db, settings, policy).run, args=(self.stop_event,), daemon=True
        )

    def __enter__(self) -> ThreadedWorker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(DEADLINE)

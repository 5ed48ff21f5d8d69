"""Fixtures shared across test folders (registered by tests/conftest.py): the organizer most
tests book with, and the delivery side of a booking — a webhook receiver, an SMTP server, the
settings that point at them and a worker runner.

Folder conftests keep only what one folder needs; what two folders need lives here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.worker import Worker
from tests.notifications.smtp import SmtpServer
from tests.support.delivery import FAST
from tests.support.scheduling import make_grant
from tests.support.waiting import DEADLINE, wait_until
from tests.webhooks.receiver import Receiver


@pytest.fixture
def ada(db: Database) -> tuple[str, str]:
    """The organizer: Ada Lovelace's grant and calendar ids, over the emptied database."""
    return make_grant(db, "ada@example.com", "Ada Lovelace")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback (subscribe it and set its `secret` to verify)."""
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback keeping what it receives in `mailbox`."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(base_settings: Settings, database_url: str) -> Settings:
    """The test settings over this backend, with a worker that polls often."""
    return dataclasses.replace(base_settings, database_url=database_url, worker_poll_seconds=0.05)


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    """`settings` sending email through the `smtp` server."""
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)


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

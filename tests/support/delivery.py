"""Delivering notifications in tests: a delivery policy with short retries, a
worker run in a thread for tests that need deliveries going on while they act, and
subscribing a receiver."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.worker import Worker
from tests.support.waiting import DEADLINE
from tests.webhooks.receiver import Receiver

FAST = DeliveryPolicy(
    retry_base_seconds=0.05,
    retry_max_seconds=0.4,
    max_attempts=8,
    request_timeout_seconds=5,
    # Longer than any attempt can take on a loaded machine: a claim whose lease runs out while
    # its attempt is still going is claimed and sent again (at-least-once), which the email
    # tests saw as a second copy of a message. Tests of lease expiry set their own, short.
    lease_seconds=60,
    failing_after_seconds=3600,
    failed_after_seconds=3600,
)


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


def subscribe(
    api: httpx.Client, receiver: Receiver, triggers: list[str] | None = None, **extra: object
) -> dict[str, Any]:
    """Subscribe `receiver` to `triggers` (default: booking created and cancelled) and give
    it the webhook's secret; the created webhook."""
    body = {"trigger_types": triggers or ["booking.created", "booking.cancelled"], **extra}
    response = api.post("/v3/webhooks", json={"webhook_url": receiver.url, **body})
    assert response.status_code == 200, response.text
    data = dict(response.json()["data"])
    receiver.secret = data["webhook_secret"]
    return data

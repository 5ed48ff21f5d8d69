"""The background worker: fans out the outbox, fires due reminders, delivers due deliveries.

Any number of workers may run against one database (`slotwise worker` processes, and the one
`slotwise serve` runs in-process by default); the claims in `notifications.delivery` keep them
from doing the same attempt twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slotwise import clock
from slotwise.bookings import follow
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.notifications import delivery, dispatch, reminders
from slotwise.providers import policy as provider_policy
from slotwise.providers import sync as provider_sync
from slotwise.webhooks.policy import DeliveryPolicy

log = logging.getLogger("slotwise.worker")


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        policy: DeliveryPolicy | None = None,
        *,
        concurrency: int = 4,
        now_fn: Callable[[], int] = clock.now,
    ) -> None:
        self.db = db
        self.settings = settings
        self.policy = policy or DeliveryPolicy.from_env()
        self.concurrency = concurrency
        # The clock reminders are judged by (tests move it to a reminder's due time).
        self.now_fn = now_fn
        provider_policy.configure(settings.provider_sync_seconds, settings.provider_timeout_seconds)
        # The syncs this worker runs move or cancel the bookings of the events they change.
        follow.subscribe()

    def run_once(self) -> int:
        """One pass over every kind of work; returns how much was done (0 = idle)."""
        done = dispatch.dispatch_outbox(self.db, self.settings, self.policy)
        # Remote calendars (CalDAV, feeds) whose mirror is stale.
        done += provider_sync.sync_due(self.db)
        done += reminders.fire_due(self.db, self.settings, self.policy, now_fn=self.now_fn)
        claims = delivery.claim_due(self.db, self.policy)
        if claims:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(claims))) as pool:
                list(pool.map(self._deliver, claims))
        return done + len(claims)

    def _deliver(self, claim: delivery.Claim) -> None:
        result = delivery.attempt(claim, self.settings, self.policy)
        delivery.record_result(self.db, claim, result, self.settings, self.policy)

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set; an idle pass waits `worker_poll_seconds`."""
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # a database hiccup must not end the loop
                log.exception("worker pass failed")
                busy = False
            if not busy:
                stop.wait(self.settings.worker_poll_seconds)


class BackgroundWorker:
    """A Worker in a daemon thread (what `slotwise serve` runs in-process)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=worker.run, args=(self.stop_event,), name="slotwise-worker", daemon=True
        )

    def start(self) -> BackgroundWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self.stop_event.set()
        self.thread.join(timeout)

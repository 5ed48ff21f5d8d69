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

from slotwise import clock, metrics
from slotwise.bookings import follow
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.notifications import delivery, dispatch, reminders
from slotwise.operations import repository as operations_repository
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
        dispatched = dispatch.dispatch_outbox(self.db, self.settings, self.policy)
        # Remote calendars (CalDAV, feeds) whose mirror is stale.
        synced = provider_sync.sync_due(self.db)
        fired = reminders.fire_due(self.db, self.settings, self.policy, now_fn=self.now_fn)
        claims = delivery.claim_due(self.db, self.policy)
        if claims:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(claims))) as pool:
                list(pool.map(self._deliver, claims))
        done = dispatched + synced + fired + len(claims)
        metrics.WORKER_PASSES.labels("busy" if done else "idle").inc()
        if done:  # idle passes (one a second) would drown the log
            log.info(
                "worker pass: %d dispatched, %d synced, %d reminders, %d deliveries",
                dispatched,
                synced,
                fired,
                len(claims),
                extra={
                    "fields": {
                        "dispatched": dispatched,
                        "synced": synced,
                        "reminders": fired,
                        "deliveries": len(claims),
                    }
                },
            )
        return done

    def _deliver(self, claim: delivery.Claim) -> None:
        result = delivery.attempt(claim, self.settings, self.policy)
        delivery.record_result(self.db, claim, result, self.settings, self.policy)
        with self.db.session(write=False) as session:
            state = operations_repository.destination_status(session, claim.destination_id)
        outcome = "success" if result.success else "failure"
        metrics.DELIVERY_ATTEMPTS.labels(claim.kind, outcome, state).inc()
        # The URL is not logged: a receiver's URL may carry its own secret.
        log.info(
            "delivery %s %s attempt %d: %s",
            claim.kind,
            claim.delivery_id,
            claim.attempt,
            outcome,
            extra={
                "fields": {
                    "delivery_id": claim.delivery_id,
                    "kind": claim.kind,
                    "destination_id": claim.destination_id,
                    "attempt": claim.attempt,
                    "outcome": outcome,
                    "status_code": result.status_code,
                    "duration_ms": result.duration_ms,
                    "destination_state": state,
                }
            },
        )

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set; an idle pass waits `worker_poll_seconds`."""
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # a database hiccup must not end the loop
                metrics.WORKER_PASSES.labels("failed").inc()
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

    def stop(self, timeout: float = 2) -> None:
        # Short: shutdown must finish within seconds. A pass cut off mid-delivery loses
        # nothing (the claim's lease expires and the attempt is made again).
        self.stop_event.set()
        self.thread.join(timeout)

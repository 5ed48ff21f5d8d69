"""The background worker: fans out the outbox, fires due reminders, delivers due deliveries.

Any number of workers may run against one database (`slotwise worker` processes, and the one
`slotwise serve` runs in-process by default); the claims in `notifications.delivery` keep them
from doing the same attempt twice.

A pass never waits for an attempt: attempts run in the worker's `AttemptPool`, and a later
pass (woken as soon as one finishes) records them in batches and claims more. So a receiver
that hangs until its timeout delays nobody else's notifications.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slotwise import clock, links, metrics, outbound
from slotwise.bookings import follow
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db import planning
from slotwise.db.engine import Database
from slotwise.events import remote_writes
from slotwise.notifications import delivery, dispatch, reminders, retention
from slotwise.notifications.sending import AttemptPool
from slotwise.providers import policy as provider_policy
from slotwise.providers import sync as provider_sync
from slotwise.webhooks.sender import AttemptResult

log = logging.getLogger("slotwise.worker")

# How often an otherwise idle worker prunes old rows (a busy pruning keeps going at once).
RETENTION_EVERY_SECONDS = 300.0
# How long a stopping worker waits for a provider sync in progress.
SYNC_STOP_SECONDS = 2.0


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        policy: DeliveryPolicy | None = None,
        *,
        now_fn: Callable[[], int] = clock.now,
    ) -> None:
        self.db = db
        self.settings = settings
        self.policy = policy or DeliveryPolicy.from_env()
        # The clock reminders and retention are judged by (tests move it forward).
        self.now_fn = now_fn
        self._pool: AttemptPool | None = None
        self._next_retention = 0.0
        self._next_statistics = 0.0  # the first idle pass refreshes SQLite's statistics
        provider_policy.configure(settings.provider_sync_seconds, settings.provider_timeout_seconds)
        outbound.configure(outbound.Policy.from_settings(settings))
        links.configure(links.HostedLinks.from_settings(settings))
        # The syncs this worker runs move or cancel the bookings of the events they change.
        follow.subscribe()

    @property
    def pool(self) -> AttemptPool:
        # Built on first use: a worker that never sends (tests of other stages) starts no
        # threads and opens no connections.
        if self._pool is None:
            self._pool = AttemptPool(self.settings, self.policy)
        return self._pool

    def run_once(self) -> int:
        """One pass over every kind of work, provider sync included; returns how much was
        done (0 = idle).

        Attempts claimed here are still running when it returns; a later pass, or `close`,
        records them.
        """
        synced = self._sync()
        return synced + self._housekeeping(idle=not synced) + self.pump()

    def _sync(self) -> int:
        """Bookings' events still to be written to their calendar server, then the remote
        calendars (CalDAV, feeds) whose mirror is stale."""
        done = self._stage("remote writes", remote_writes.write_due, self.db, self.policy)
        return done + self._stage("provider sync", provider_sync.sync_due, self.db)

    def _housekeeping(self, *, idle: bool = True) -> int:
        """Everything but the sending and the provider sync. Each stage stands alone: one
        that fails (a database hiccup, a row it cannot handle) is logged and the others still
        run."""
        done = self._stage("fan-out", dispatch.dispatch_outbox, self.db, self.settings, self.policy)
        done += self._stage(
            "reminders", reminders.fire_due, self.db, self.settings, self.policy, now_fn=self.now_fn
        )
        if time.monotonic() >= self._next_retention:
            pruned = self._stage(
                "retention", retention.prune, self.db, self.policy, now=self.now_fn()
            )
            # A full round means more is left: come back on the next pass, else much later.
            busy = pruned >= self.policy.retention_batch
            self._next_retention = time.monotonic() + (0 if busy else RETENTION_EVERY_SECONDS)
        if idle and not done and time.monotonic() >= self._next_statistics:
            # Only when idle: a refresh takes SQLite's write lock (briefly, it is bounded).
            self._stage("planner statistics", planning.refresh_statistics, self.db)
            self._next_statistics = time.monotonic() + planning.REFRESH_EVERY_SECONDS
        metrics.WORKER_PASSES.labels("busy" if done else "idle").inc()
        if done:  # idle passes (one a second) would drown the log
            log.info(
                "worker pass: %d fanned out or fired",
                done,
                extra={"fields": {"done": done}},
            )
        return done

    def _stage(self, name: str, fn: Callable[..., int], *args: object, **kwargs: object) -> int:
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("worker %s failed", name)
            return 0

    def pump(self) -> int:
        """Record the attempts that finished, then claim as many as there is room for."""
        recorded, claimed, _ = self._pump()
        return recorded + claimed

    def _pump(self) -> tuple[int, int, bool]:
        """(attempts recorded, deliveries claimed, whether more may be due right now)."""
        pool = self.pool
        recorded = self._record(pool.take_results())
        room = pool.room()
        claims: list[delivery.Claim] = []
        if room > 0:
            try:
                claims = delivery.claim_due(
                    self.db,
                    self.policy,
                    limit=room,
                    in_flight=pool.held(),
                    full=pool.full_targets(),
                )
            except Exception:
                log.exception("worker claim failed")
                claims = []
            for claim in claims:
                pool.submit(claim)
        if recorded or claims:
            log.debug(
                "recorded %d attempts, claimed %d (held per target: %s)",
                recorded,
                len(claims),
                pool.held(),
            )
        # A claim cut short by the batch size (not by room) may have left due rows behind.
        more = len(claims) >= self.policy.batch_size and pool.room() > 0
        return recorded, len(claims), more

    def _record(self, results: list[tuple[delivery.Claim, AttemptResult]]) -> int:
        if not results:
            return 0
        try:
            recorded = delivery.record_results(self.db, results, self.settings, self.policy)
        except Exception:
            # The claims keep their leases; when those expire the deliveries are tried again.
            log.exception("recording %d attempts failed", len(results))
            return 0
        for claim, result in results:
            _observe(claim, result)
        return recorded

    def close(self) -> None:
        """Let the attempts being sent finish and record them, give back the claims held
        ahead; the worker can run again after."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        unsent = pool.close()
        self._record(pool.take_results())
        try:
            delivery.release(self.db, unsent)
        except Exception:  # their leases expire instead
            log.exception("releasing %d unsent claims failed", len(unsent))

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set, then finish the attempts in flight.

        Between full passes (at most every `worker_poll_seconds` while idle) the loop only
        records finished attempts and claims more, woken the moment one finishes.
        """
        poll = self.settings.worker_poll_seconds
        next_housekeeping = 0.0
        # Provider sync has a loop of its own: a remote calendar that answers slowly (up to
        # its timeout, per calendar) must not hold back fan-out, reminders or deliveries.
        syncing = threading.Thread(
            target=self._sync_loop, args=(stop,), name="slotwise-sync", daemon=True
        )
        syncing.start()
        try:
            while not stop.is_set():
                housework = 0
                if time.monotonic() >= next_housekeeping:
                    housework = self._housekeeping()
                    next_housekeeping = time.monotonic() + (0 if housework else poll)
                _recorded, _claimed, more = self._pump()
                if housework or more:
                    continue
                # Wait for an attempt to finish (its result is recorded, and its room used, at
                # once) or for the next full pass. Waiting here rather than looping is what
                # batches results: everything that finished meanwhile goes in one transaction.
                wait = max(0.0, min(poll, next_housekeeping - time.monotonic()))
                if self.pool.busy():
                    self.pool.finished.wait(wait)
                else:
                    stop.wait(wait)
        finally:
            self.close()
            # A sync cut off here loses nothing: no transaction is open while it fetches, and
            # a calendar not stored is still stale for the next start.
            syncing.join(SYNC_STOP_SECONDS)

    def _sync_loop(self, stop: threading.Event) -> None:
        poll = self.settings.worker_poll_seconds
        while not stop.is_set():
            synced = self._sync()
            if synced:
                log.info(
                    "provider sync: %d calendars", synced, extra={"fields": {"synced": synced}}
                )
            # A full batch may have left more stale calendars: go on at once.
            stop.wait(0 if synced >= provider_sync.SYNC_BATCH else poll)


def _observe(claim: delivery.Claim, result: AttemptResult) -> None:
    """The metric and the log line of one recorded attempt."""
    outcome = "success" if result.success else "failure"
    state = claim.destination_status if claim.kind == "webhook" else "none"
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
            }
        },
    )


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

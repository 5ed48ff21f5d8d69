"""Attempts in flight: a worker's sending threads, shared HTTP client and per-target limits.

A pass of the worker claims deliveries and hands them here; it never waits for them. Each
attempt runs on one of `policy.concurrency` threads, and no target (a webhook destination, or
the SMTP relay) has more than its limit of them (`delivery.target_limit`), so a destination
that hangs until its timeout ties up only its own share while the others keep flowing.
Finished attempts wait in `results` until the worker records them, many per transaction.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from slotwise.config import Settings
from slotwise.notifications import delivery
from slotwise.webhooks import sender
from slotwise.webhooks.policy import DeliveryPolicy
from slotwise.webhooks.sender import AttemptResult


class AttemptPool:
    def __init__(self, settings: Settings, policy: DeliveryPolicy) -> None:
        self.settings = settings
        self.policy = policy
        # One client for every attempt of this worker: connections are kept alive per
        # destination (httpx.Client is safe to share between threads).
        self.client = sender.http_client(
            policy.request_timeout_seconds, connections=policy.concurrency
        )
        self._executor = ThreadPoolExecutor(
            max_workers=policy.concurrency, thread_name_prefix="slotwise-send"
        )
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._limits: dict[str, int] = {}  # target -> its limit, as of its latest claim
        self._results: list[tuple[delivery.Claim, AttemptResult]] = []
        # Set when an attempt finishes, so an idle worker records it (and claims more) at once.
        self.finished = threading.Event()

    # -- what the next claim may take -------------------------------------------------------
    def room(self) -> int:
        with self._lock:
            return self.policy.concurrency - sum(self._in_flight.values())

    def in_flight(self) -> dict[str, int]:
        with self._lock:
            return {target: n for target, n in self._in_flight.items() if n}

    def full_targets(self) -> set[str]:
        with self._lock:
            return {
                target
                for target, n in self._in_flight.items()
                if n >= self._limits.get(target, self.policy.destination_concurrency)
            }

    # -- sending ----------------------------------------------------------------------------
    def submit(self, claim: delivery.Claim) -> None:
        with self._lock:
            self._in_flight[claim.target] += 1
            self._limits[claim.target] = delivery.target_limit(
                self.policy, claim.destination_status
            )
        self._executor.submit(self._run, claim)

    def _run(self, claim: delivery.Claim) -> None:
        try:
            result = delivery.attempt(claim, self.settings, self.policy, self.client)
        finally:
            with self._lock:
                self._in_flight[claim.target] -= 1
        with self._lock:
            self._results.append((claim, result))
        self.finished.set()

    def take_results(self) -> list[tuple[delivery.Claim, AttemptResult]]:
        with self._lock:
            results, self._results = self._results, []
            self.finished.clear()
        return results

    def busy(self) -> bool:
        with self._lock:
            return any(self._in_flight.values())

    def close(self) -> None:
        """Wait for the attempts in flight (each ends within its timeout), then let go."""
        self._executor.shutdown(wait=True)
        self.client.close()

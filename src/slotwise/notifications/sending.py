"""Attempts in flight: a worker's sending threads, shared HTTP client and per-target limits.

A pass of the worker claims deliveries and hands them here; it never waits for them. Each
attempt runs on one of `policy.concurrency` threads, and no target (a webhook destination, or
the SMTP relay) has more than its limit of them (`delivery.target_limit`), so a destination
that hangs until its timeout ties up only its own share while the others keep flowing.
Finished attempts wait in `results` until the worker records them, many per transaction.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

from slotwise.config import DeliveryPolicy, Settings
from slotwise.notifications import delivery
from slotwise.webhooks import sender
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
        self._sending: Counter[str] = Counter()
        # Claimed ahead of sending, per target (at most `delivery.hold_limit` held in all):
        # claims are then large enough to amortize their transaction, and a slot that frees
        # up is used at once, without waiting for the next claim.
        self._waiting: dict[str, deque[delivery.Claim]] = defaultdict(deque)
        self._held: Counter[str] = Counter()
        self._status: dict[str, str] = {}  # target -> destination status at its latest claim
        self._results: list[tuple[delivery.Claim, AttemptResult]] = []
        # Set when an attempt finishes, so an idle worker records it (and claims more) at once.
        self.finished = threading.Event()

    # -- what the next claim may take -------------------------------------------------------
    def room(self) -> int:
        with self._lock:
            return self.policy.concurrency * self.policy.prefetch - sum(self._held.values())

    def held(self) -> dict[str, int]:
        """Claims held per target: being sent or waiting for a free slot."""
        with self._lock:
            return {target: n for target, n in self._held.items() if n}

    def full_targets(self) -> set[str]:
        with self._lock:
            return {
                target
                for target, n in self._held.items()
                if n >= delivery.hold_limit(self.policy, self._status.get(target, "active"))
            }

    # -- sending ----------------------------------------------------------------------------
    def submit(self, claim: delivery.Claim) -> None:
        target = claim.target
        with self._lock:
            self._held[target] += 1
            self._status[target] = claim.destination_status
            if self._sending[target] >= delivery.target_limit(
                self.policy, claim.destination_status
            ):
                self._waiting[target].append(claim)
                return
            self._sending[target] += 1
        self._executor.submit(self._run, claim)

    def _run(self, claim: delivery.Claim) -> None:
        target = claim.target
        current: delivery.Claim | None = claim
        while current is not None:
            result = delivery.attempt(current, self.settings, self.policy, self.client)
            with self._lock:
                self._results.append((current, result))
                self._held[target] -= 1
                waiting = self._waiting.get(target)
                if waiting:
                    current = waiting.popleft()  # this thread sends the target's next one
                else:
                    self._sending[target] -= 1
                    current = None
            self.finished.set()

    def take_results(self) -> list[tuple[delivery.Claim, AttemptResult]]:
        with self._lock:
            results, self._results = self._results, []
            self.finished.clear()
        return results

    def busy(self) -> bool:
        with self._lock:
            return any(self._held.values())

    def close(self) -> list[delivery.Claim]:
        """Wait for the attempts being sent (each ends within its timeout), then let go;
        returns the claims held ahead that were never sent (for `delivery.release`)."""
        with self._lock:
            unsent = [claim for waiting in self._waiting.values() for claim in waiting]
            for waiting in self._waiting.values():
                waiting.clear()
            for claim in unsent:
                self._held[claim.target] -= 1
        self._executor.shutdown(wait=True)
        self.client.close()
        return unsent

"""How hard the worker tries: retry schedule, leases, and the destination circuit breaker.

Read from the environment like `Settings`, with production defaults; tests shrink the times.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


@dataclass(frozen=True)
class DeliveryPolicy:
    # Retry n (n = 1, 2, ...) waits retry_base * 2**(n-1) seconds, capped at retry_max, then a
    # random jitter of up to +25%. After max_attempts failed attempts the delivery is given up.
    retry_base_seconds: float = 15.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 10
    # One HTTP POST (or SMTP conversation) may take this long before it counts as failed.
    request_timeout_seconds: float = 10.0
    # A claimed delivery belongs to its worker for this long; if the worker dies the claim
    # expires and another worker takes the delivery (with the next attempt number).
    lease_seconds: float = 60.0
    # Circuit breaker (reference §8.4): an active destination whose attempts have been >= 95%
    # failures for failing_after seconds becomes "failing"; a failing destination that stays
    # >= 95% failures for failed_after more seconds becomes "failed".
    failing_after_seconds: float = 15 * 60
    failed_after_seconds: float = 72 * 3600
    failure_ratio: float = 0.95
    # A claim takes at most batch_size due deliveries at once (one transaction).
    batch_size: int = 100
    # Attempts in flight per worker, in all and per target (a webhook destination; all email
    # shares one SMTP relay): a destination that hangs holds at most its own share, never the
    # others'. A destination the breaker has marked failing gets one attempt at a time.
    concurrency: int = 64
    destination_concurrency: int = 16
    # A worker also claims this many times its sending limit ahead, per target. A claim held
    # ahead waits at most (prefetch - 1) timeouts before it is sent, which must stay well
    # inside its lease: `from_env` derives it from the two (3 with the defaults).
    prefetch: int = 1
    response_body_limit: int = 2000
    # Finished deliveries (and their attempts), dispatched outbox rows and past reminders older
    # than this are deleted by the worker, retention_batch rows per statement.
    retention_days: float = 30.0
    retention_batch: int = 1000
    ip_addresses: list[str] = field(default_factory=list)

    def backoff_seconds(self, failed_attempts: int, jitter: float) -> float:
        """Delay before the next attempt after `failed_attempts` failures; jitter in [0, 1)."""
        base = self.retry_base_seconds * (2 ** max(failed_attempts - 1, 0))
        return float(min(base, self.retry_max_seconds) * (1 + 0.25 * jitter))

    @classmethod
    def from_env(cls, **overrides: object) -> DeliveryPolicy:
        env = os.environ
        values: dict[str, object] = {
            "retry_base_seconds": float(env.get("SLOTWISE_WEBHOOK_RETRY_BASE_SECONDS", "15")),
            "retry_max_seconds": float(env.get("SLOTWISE_WEBHOOK_RETRY_MAX_SECONDS", "3600")),
            "max_attempts": int(env.get("SLOTWISE_WEBHOOK_MAX_ATTEMPTS", "10")),
            "request_timeout_seconds": float(env.get("SLOTWISE_WEBHOOK_TIMEOUT_SECONDS", "10")),
            "lease_seconds": float(env.get("SLOTWISE_WORKER_LEASE_SECONDS", "60")),
            "failing_after_seconds": float(
                env.get("SLOTWISE_WEBHOOK_FAILING_AFTER_SECONDS", str(15 * 60))
            ),
            "failed_after_seconds": float(
                env.get("SLOTWISE_WEBHOOK_FAILED_AFTER_SECONDS", str(72 * 3600))
            ),
            "ip_addresses": _csv(env.get("SLOTWISE_WEBHOOK_IP_ADDRESSES")),
            "concurrency": max(1, int(env.get("SLOTWISE_WORKER_CONCURRENCY", "64"))),
            "destination_concurrency": max(
                1, int(env.get("SLOTWISE_WEBHOOK_DESTINATION_CONCURRENCY", "16"))
            ),
            "retention_days": float(env.get("SLOTWISE_RETENTION_DAYS", "30")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "prefetch" not in values:
            lease, timeout = values["lease_seconds"], values["request_timeout_seconds"]
            values["prefetch"] = max(1, min(4, int(lease // (2 * timeout))))  # type: ignore[operator]
        return cls(**values)  # type: ignore[arg-type]

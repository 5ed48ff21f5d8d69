"""Settings read from the environment, once, at the edge of the process, all one way:
the server's `Settings` and the worker's `DeliveryPolicy`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class _Env:
    """Typed reads of the environment, the one way every setting is parsed.

    Numbers and flags left unset or blank take their default; text keeps what it is given.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def _raw(self, name: str) -> str | None:
        raw = self.env.get(name)
        return raw if raw is not None and raw.strip() else None

    def text(self, name: str, default: str) -> str:
        return self.env.get(name, default)

    def optional(self, name: str) -> str | None:
        """The value, or None when unset or empty."""
        return self.env.get(name) or None

    def integer(self, name: str, default: int, *, least: int | None = None) -> int:
        raw = self._raw(name)
        value = default if raw is None else int(raw)
        return value if least is None else max(least, value)

    def number(self, name: str, default: float) -> float:
        raw = self._raw(name)
        return default if raw is None else float(raw)

    def flag(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}

    def csv(self, name: str, default: str = "") -> list[str]:
        """A comma-separated list (set but empty: the empty list)."""
        return [item.strip() for item in self.env.get(name, default).split(",") if item.strip()]


# Settings.rate_limit_<name> <- SLOTWISE_RATE_LIMIT_<NAME>.
_RATE_LIMITS = (
    "window_seconds",
    "public_reads_per_address",
    "public_reads_per_configuration",
    "public_writes_per_address",
    "public_writes_per_configuration",
    "failed_auth_per_address",
    "failed_auth_per_key",
)


def _overridden(values: dict[str, object], overrides: dict[str, object]) -> dict[str, object]:
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("slotwise-data")
    database_url: str | None = None
    api_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    application_id: str = "slotwise"
    cors_origins: list[str] = field(default_factory=lambda: ["*"])
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    # PEM bundle of the CA(s) the SMTP server's certificate must chain to; without it the
    # system's trusted CAs are used. Verification (including the host name) is never skipped.
    smtp_ca_file: str | None = None
    smtp_from: str = "Slotwise <no-reply@slotwise.local>"
    webhook_challenge_timeout: float = 10.0
    max_body_bytes: int = 1_048_576
    provider_sync_seconds: float = 60.0
    provider_timeout_seconds: float = 10.0
    # Addresses outbound requests (feeds, CalDAV, webhooks) may reach beyond the public
    # internet, and ones they may not (slotwise/outbound.py, docs/security.md).
    outbound_allow: list[str] = field(default_factory=list)
    outbound_deny: list[str] = field(default_factory=list)
    # Largest answer read from a feed or CalDAV server.
    outbound_max_bytes: int = 20 * 1024 * 1024
    # Booking transactions run at once per process. They are CPU-bound Python under one GIL:
    # a few threads keep the database busy, more only add GIL contention (bench/README.md).
    booking_threads: int = 3
    # Each additional guest of a booking gets its own emails; anonymous guests may add this many.
    max_additional_guests: int = 10
    # How long a hold keeps a slot for the guest filling in the booking form (docs/scheduling.md),
    # and how many live holds one client address may keep per configuration.
    hold_seconds: int = 300
    holds_per_address: int = 3
    # Peers whose X-Forwarded-For / X-Forwarded-Proto headers are believed (a reverse proxy's
    # addresses, comma-separated, or "*"); the client address is then the proxy's view of it.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Comma-separated Fernet keys, newest first (docs/security.md); None: <data_dir>/secret.key.
    secret_key: str | None = None
    # Rate limits (docs/security.md): requests per window; 0 turns that limit off.
    rate_limit_window_seconds: int = 60
    rate_limit_public_reads_per_address: int = 600
    rate_limit_public_reads_per_configuration: int = 3000
    rate_limit_public_writes_per_address: int = 60
    rate_limit_public_writes_per_configuration: int = 300
    rate_limit_failed_auth_per_address: int = 30
    rate_limit_failed_auth_per_key: int = 10
    # A bearer token that reads /metrics (besides the admin API key); None: admin key only.
    metrics_token: str | None = None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'slotwise.db').resolve()}"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = _Env(os.environ)
        default = cls()
        values: dict[str, object] = {
            "data_dir": Path(env.text("SLOTWISE_DATA_DIR", str(default.data_dir))),
            "database_url": env.optional("SLOTWISE_DATABASE_URL"),
            "api_key": env.optional("SLOTWISE_API_KEY"),
            "public_url": env.text("SLOTWISE_PUBLIC_URL", default.public_url).rstrip("/"),
            "application_id": env.text("SLOTWISE_APPLICATION_ID", default.application_id),
            "cors_origins": env.csv("SLOTWISE_CORS_ORIGINS", "*"),
            "run_worker": env.flag("SLOTWISE_RUN_WORKER", default.run_worker),
            "worker_poll_seconds": env.number(
                "SLOTWISE_WORKER_POLL_SECONDS", default.worker_poll_seconds
            ),
            "smtp_host": env.optional("SLOTWISE_SMTP_HOST"),
            "smtp_port": env.integer("SLOTWISE_SMTP_PORT", default.smtp_port),
            "smtp_username": env.optional("SLOTWISE_SMTP_USERNAME"),
            "smtp_password": env.optional("SLOTWISE_SMTP_PASSWORD"),
            "smtp_starttls": env.flag("SLOTWISE_SMTP_STARTTLS", default.smtp_starttls),
            "smtp_ssl": env.flag("SLOTWISE_SMTP_SSL", default.smtp_ssl),
            "smtp_ca_file": env.optional("SLOTWISE_SMTP_CA_FILE"),
            "smtp_from": env.text("SLOTWISE_SMTP_FROM", default.smtp_from),
            "webhook_challenge_timeout": env.number(
                "SLOTWISE_WEBHOOK_CHALLENGE_TIMEOUT", default.webhook_challenge_timeout
            ),
            "provider_sync_seconds": env.number(
                "SLOTWISE_PROVIDER_SYNC_SECONDS", default.provider_sync_seconds
            ),
            "provider_timeout_seconds": env.number(
                "SLOTWISE_PROVIDER_TIMEOUT_SECONDS", default.provider_timeout_seconds
            ),
            "outbound_allow": env.csv("SLOTWISE_OUTBOUND_ALLOW"),
            "outbound_deny": env.csv("SLOTWISE_OUTBOUND_DENY"),
            "outbound_max_bytes": env.integer(
                "SLOTWISE_OUTBOUND_MAX_BYTES", default.outbound_max_bytes
            ),
            "booking_threads": env.integer(
                "SLOTWISE_BOOKING_THREADS", default.booking_threads, least=1
            ),
            "max_additional_guests": env.integer(
                "SLOTWISE_MAX_ADDITIONAL_GUESTS", default.max_additional_guests, least=0
            ),
            "hold_seconds": env.integer("SLOTWISE_HOLD_SECONDS", default.hold_seconds, least=1),
            "holds_per_address": env.integer(
                "SLOTWISE_HOLDS_PER_ADDRESS", default.holds_per_address, least=1
            ),
            "forwarded_allow_ips": (
                env.optional("SLOTWISE_FORWARDED_ALLOW_IPS") or default.forwarded_allow_ips
            ).strip(),
            "secret_key": env.optional("SLOTWISE_SECRET_KEY"),
            **{
                f"rate_limit_{name}": env.integer(
                    f"SLOTWISE_RATE_LIMIT_{name.upper()}",
                    getattr(default, f"rate_limit_{name}"),
                    least=0,
                )
                for name in _RATE_LIMITS
            },
            "metrics_token": env.optional("SLOTWISE_METRICS_TOKEN"),
        }
        return cls(**_overridden(values, overrides))  # type: ignore[arg-type]


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the worker tries: retry schedule, leases, and the destination circuit breaker.

    Production defaults; tests shrink the times.
    """

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
        env = _Env(os.environ)
        default = cls()
        values: dict[str, object] = {
            "retry_base_seconds": env.number(
                "SLOTWISE_WEBHOOK_RETRY_BASE_SECONDS", default.retry_base_seconds
            ),
            "retry_max_seconds": env.number(
                "SLOTWISE_WEBHOOK_RETRY_MAX_SECONDS", default.retry_max_seconds
            ),
            "max_attempts": env.integer("SLOTWISE_WEBHOOK_MAX_ATTEMPTS", default.max_attempts),
            "request_timeout_seconds": env.number(
                "SLOTWISE_WEBHOOK_TIMEOUT_SECONDS", default.request_timeout_seconds
            ),
            "lease_seconds": env.number("SLOTWISE_WORKER_LEASE_SECONDS", default.lease_seconds),
            "failing_after_seconds": env.number(
                "SLOTWISE_WEBHOOK_FAILING_AFTER_SECONDS", default.failing_after_seconds
            ),
            "failed_after_seconds": env.number(
                "SLOTWISE_WEBHOOK_FAILED_AFTER_SECONDS", default.failed_after_seconds
            ),
            "ip_addresses": env.csv("SLOTWISE_WEBHOOK_IP_ADDRESSES"),
            "concurrency": env.integer("SLOTWISE_WORKER_CONCURRENCY", default.concurrency, least=1),
            "destination_concurrency": env.integer(
                "SLOTWISE_WEBHOOK_DESTINATION_CONCURRENCY",
                default.destination_concurrency,
                least=1,
            ),
            "retention_days": env.number("SLOTWISE_RETENTION_DAYS", default.retention_days),
        }
        values = _overridden(values, overrides)
        if "prefetch" not in values:
            lease, timeout = values["lease_seconds"], values["request_timeout_seconds"]
            values["prefetch"] = max(1, min(4, int(lease // (2 * timeout))))  # type: ignore[operator]
        return cls(**values)  # type: ignore[arg-type]

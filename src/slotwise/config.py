"""Settings read from the environment, once, at the edge of the process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


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


def _rate_limits(env: os._Environ[str] | dict[str, str]) -> dict[str, int]:
    values = {}
    for name in _RATE_LIMITS:
        raw = env.get(f"SLOTWISE_RATE_LIMIT_{name.upper()}")
        if raw is not None and raw.strip():
            values[f"rate_limit_{name}"] = max(0, int(raw))
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
        env = os.environ
        values: dict[str, object] = {
            "data_dir": Path(env.get("SLOTWISE_DATA_DIR", "slotwise-data")),
            "database_url": env.get("SLOTWISE_DATABASE_URL") or None,
            "api_key": env.get("SLOTWISE_API_KEY") or None,
            "public_url": env.get("SLOTWISE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            "application_id": env.get("SLOTWISE_APPLICATION_ID", "slotwise"),
            "cors_origins": _csv(env.get("SLOTWISE_CORS_ORIGINS", "*")),
            "run_worker": _bool(env.get("SLOTWISE_RUN_WORKER"), True),
            "worker_poll_seconds": float(env.get("SLOTWISE_WORKER_POLL_SECONDS", "1.0")),
            "smtp_host": env.get("SLOTWISE_SMTP_HOST") or None,
            "smtp_port": int(env.get("SLOTWISE_SMTP_PORT", "25")),
            "smtp_username": env.get("SLOTWISE_SMTP_USERNAME") or None,
            "smtp_password": env.get("SLOTWISE_SMTP_PASSWORD") or None,
            "smtp_starttls": _bool(env.get("SLOTWISE_SMTP_STARTTLS"), False),
            "smtp_ssl": _bool(env.get("SLOTWISE_SMTP_SSL"), False),
            "smtp_ca_file": env.get("SLOTWISE_SMTP_CA_FILE") or None,
            "smtp_from": env.get("SLOTWISE_SMTP_FROM", "Slotwise <no-reply@slotwise.local>"),
            "webhook_challenge_timeout": float(env.get("SLOTWISE_WEBHOOK_CHALLENGE_TIMEOUT", "10")),
            "provider_sync_seconds": float(env.get("SLOTWISE_PROVIDER_SYNC_SECONDS", "60")),
            "provider_timeout_seconds": float(env.get("SLOTWISE_PROVIDER_TIMEOUT_SECONDS", "10")),
            "outbound_allow": _csv(env.get("SLOTWISE_OUTBOUND_ALLOW")),
            "outbound_deny": _csv(env.get("SLOTWISE_OUTBOUND_DENY")),
            "outbound_max_bytes": int(
                env.get("SLOTWISE_OUTBOUND_MAX_BYTES", str(20 * 1024 * 1024))
            ),
            "booking_threads": max(1, int(env.get("SLOTWISE_BOOKING_THREADS", "3"))),
            "max_additional_guests": max(0, int(env.get("SLOTWISE_MAX_ADDITIONAL_GUESTS", "10"))),
            "forwarded_allow_ips": (
                env.get("SLOTWISE_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
            ).strip(),
            "secret_key": env.get("SLOTWISE_SECRET_KEY") or None,
            **_rate_limits(env),
            "metrics_token": env.get("SLOTWISE_METRICS_TOKEN") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

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
    # Booking transactions run at once per process. They are CPU-bound Python under one GIL:
    # a few threads keep the database busy, more only add GIL contention (bench/README.md).
    booking_threads: int = 3
    # A bearer token that reads /metrics (besides the admin API key); None: admin key only.
    metrics_token: str | None = None
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto are believed (uvicorn's
    # forwarded_allow_ips): "127.0.0.1", a comma-separated list, or "*".
    forwarded_allow_ips: str = "127.0.0.1,::1"

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
            "booking_threads": max(1, int(env.get("SLOTWISE_BOOKING_THREADS", "3"))),
            "metrics_token": env.get("SLOTWISE_METRICS_TOKEN") or None,
            "forwarded_allow_ips": env.get("SLOTWISE_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

"""Settings and the delivery policy are read from the environment one way."""

from __future__ import annotations

import pytest

from slotwise.config import DeliveryPolicy, Settings


def test_unset_and_blank_numbers_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTWISE_SMTP_PORT", " ")
    monkeypatch.setenv("SLOTWISE_RATE_LIMIT_WINDOW_SECONDS", "")
    monkeypatch.setenv("SLOTWISE_WEBHOOK_MAX_ATTEMPTS", "")
    monkeypatch.delenv("SLOTWISE_RUN_WORKER", raising=False)
    settings, policy = Settings.from_env(), DeliveryPolicy.from_env()
    assert settings.smtp_port == Settings().smtp_port
    assert settings.rate_limit_window_seconds == Settings().rate_limit_window_seconds
    assert settings.run_worker is True
    assert policy.max_attempts == DeliveryPolicy().max_attempts


def test_values_floors_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTWISE_BOOKING_THREADS", "0")
    monkeypatch.setenv("SLOTWISE_RATE_LIMIT_FAILED_AUTH_PER_KEY", "-5")
    monkeypatch.setenv("SLOTWISE_WORKER_CONCURRENCY", "0")
    monkeypatch.setenv("SLOTWISE_WEBHOOK_RETRY_BASE_SECONDS", "2.5")
    monkeypatch.setenv("SLOTWISE_RUN_WORKER", "off")
    monkeypatch.setenv("SLOTWISE_OUTBOUND_ALLOW", " 10.0.0.0/8, ,192.168.1.2 ")
    # Set but empty: no CORS origins at all (not the "*" default).
    monkeypatch.setenv("SLOTWISE_CORS_ORIGINS", "")
    monkeypatch.setenv("SLOTWISE_PUBLIC_URL", "https://slots.example/")
    settings, policy = Settings.from_env(), DeliveryPolicy.from_env()
    assert settings.booking_threads == 1
    assert settings.rate_limit_failed_auth_per_key == 0
    assert settings.run_worker is False
    assert settings.outbound_allow == ["10.0.0.0/8", "192.168.1.2"]
    assert settings.cors_origins == []
    assert settings.public_url == "https://slots.example"
    assert policy.concurrency == 1
    assert policy.retry_base_seconds == 2.5


def test_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTWISE_SMTP_PORT", "2525")
    assert Settings.from_env(smtp_port=26).smtp_port == 26
    assert DeliveryPolicy.from_env(lease_seconds=20, request_timeout_seconds=5).prefetch == 2

"""Webhook tests use the shared delivery fixtures (tests/support/fixtures.py: receiver,
settings, run_worker) and these names from tests/support/delivery.py."""

from __future__ import annotations

from tests.support.delivery import FAST, ThreadedWorker

__all__ = ["FAST", "ThreadedWorker"]

"""Webhook tests use the shared delivery fixtures (tests/support/fixtures.py: receiver,
settings, run_worker) and these names from tests/support/delivery.py."""

from __future__ import annotations

from tests.support.delivery import FAST, ThreadedWorker

# The fixtures are importable from here too, for modules written before they moved to
# tests/support/fixtures.py; new tests just name them as parameters.
from tests.support.fixtures import receiver, run_worker, settings

__all__ = ["FAST", "ThreadedWorker", "receiver", "run_worker", "settings"]

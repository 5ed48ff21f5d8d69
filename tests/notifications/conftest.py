from __future__ import annotations

from tests.webhooks.conftest import receiver, run_worker, settings

__all__ = ["receiver", "run_worker", "settings"]

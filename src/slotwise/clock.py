"""The one place that reads the wall clock, so that everything else takes `now` as a value."""

from __future__ import annotations

import time


def now() -> int:
    """Current time as integer UTC epoch seconds."""
    return int(time.time())


def now_ms() -> int:
    """Current time as integer UTC epoch milliseconds (retry schedules and leases use it)."""
    return int(time.time() * 1000)

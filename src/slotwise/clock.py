"""The one place that reads the wall clock, so that everything else takes `now` as a value.

Tests can stop the clock at a chosen instant (`freeze`) and move it (`advance`) instead of
sleeping until something falls due; production code never calls either.
"""

from __future__ import annotations

import time

# Set only by tests: the instant the clock is stopped at, in epoch milliseconds.
_frozen_ms: int | None = None


def now() -> int:
    """Current time as integer UTC epoch seconds."""
    return now_ms() // 1000


def now_ms() -> int:
    """Current time as integer UTC epoch milliseconds (retry schedules and leases use it)."""
    if _frozen_ms is not None:
        return _frozen_ms
    return int(time.time() * 1000)


def freeze(epoch_seconds: float | None) -> None:
    """Stop the clock at `epoch_seconds`, or (None) let it follow the wall clock again."""
    global _frozen_ms
    _frozen_ms = None if epoch_seconds is None else int(epoch_seconds * 1000)


def advance(seconds: float) -> None:
    """Move a frozen clock forward by `seconds`."""
    global _frozen_ms
    if _frozen_ms is None:
        raise RuntimeError("the clock is not frozen")
    _frozen_ms += int(seconds * 1000)

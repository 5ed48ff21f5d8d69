"""The one place that reads the wall clock, so that everything else takes `now` as a value."""

from __future__ import annotations

import time


def now() -> int:
    """Current time as integer UTC epoch seconds."""
    return int(time.time())

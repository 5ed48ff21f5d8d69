"""Waiting on a condition, not on the clock.

Tests never sleep for "long enough" and never assert on elapsed time: they poll the condition
they need with a deadline that only bites when something is broken. The deadlines are generous
because the suite shares a small machine with other work (load averages of 10-40 have been
seen); a healthy run never comes near them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long a test waits for something that should happen "soon" before calling it a failure.
DEADLINE = 120.0
# How often the test sites' serving loops (socketserver's serve_forever) look for a shutdown:
# stopping a site waits for its loop to look, up to half a second at socketserver's default,
# for every receiver, feed and site a test starts.
SERVE_POLL = 0.02
# Client-side read timeout for HTTP calls to servers under test; like DEADLINE, a hang guard.
HTTP_TIMEOUT = 120.0
# Browser waits (Playwright, milliseconds): a page, a component render, an assertion.
BROWSER_TIMEOUT_MS = 120_000


def wait_until(
    condition: Callable[[], object],
    what: str,
    *,
    timeout: float = DEADLINE,
    interval: float = 0.02,
) -> None:
    """Poll `condition` until it returns something true; fail naming `what` after `timeout`.

    The short `interval` between polls is the only sleep: it yields the core to the thing
    being waited for and is not a guess at how long that takes.
    """
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)

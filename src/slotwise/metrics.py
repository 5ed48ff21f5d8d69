"""The process's Prometheus metrics (PyPI `prometheus-client`), defined in one place.

Counters and histograms are kept per process; `slotwise serve --workers N` points every worker
at one `PROMETHEUS_MULTIPROC_DIR` (set before this module is imported) and `/metrics` adds them
up. Gauges of shared state (outbox depth, mirror age) are read from the database at scrape
time instead (`operations.collector`), so any process answers the same.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Histogram

# Seconds; from a cached availability read to a slow remote calendar.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "slotwise_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "slotwise_http_requests",
    "HTTP requests answered, by route template and status code.",
    ["method", "route", "status"],
)
AVAILABILITY_SECONDS = Histogram(
    "slotwise_availability_compute_seconds",
    "Time to compute the slots of one availability request (busy reads and the engine).",
    ["face"],
    buckets=_LATENCY_BUCKETS,
)
BOOKINGS = Counter(
    "slotwise_booking_attempts",
    "Booking attempts by outcome: booked, conflict (the slot is taken), refused (bad input).",
    ["outcome"],
)
DELIVERY_ATTEMPTS = Counter(
    "slotwise_delivery_attempts",
    "Delivery attempts (webhooks, emails) by outcome and the destination's state after it.",
    ["channel", "outcome", "destination_state"],
)
WORKER_PASSES = Counter(
    "slotwise_worker_passes",
    "Worker passes by result: busy (did work), idle, failed.",
    ["result"],
)
PROVIDER_SYNCS = Counter(
    "slotwise_provider_syncs",
    "Remote calendar syncs by grant kind and outcome (ok, failed).",
    ["kind", "outcome"],
)


@contextmanager
def timed(histogram: Histogram, *labels: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(*labels).observe(time.perf_counter() - started)


P = ParamSpec("P")
R = TypeVar("R")


def timed_calls(histogram: Histogram, *labels: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function so that every call's duration is observed in `histogram`."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with timed(histogram, *labels):
                return function(*args, **kwargs)

        return wrapper

    return decorate

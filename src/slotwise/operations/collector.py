"""Gauges of shared state, read from the database when /metrics is scraped.

Backlogs and mirror ages are the same whichever process is asked, so they are not kept in
process memory (where `--workers N` would have each worker disagree) but queried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from slotwise.db.engine import Database
from slotwise.operations import repository


class DatabaseCollector(Collector):
    def __init__(self, db: Database, now_fn: Callable[[], int]) -> None:
        self.db = db
        self.now_fn = now_fn

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.now_fn()
        with self.db.session(write=False) as session:
            backlogs = repository.backlogs(session)
            mirrors = repository.mirror_states(session)
        depth = GaugeMetricFamily(
            "slotwise_backlog_depth", "Items waiting, by kind.", labels=["kind"]
        )
        age = GaugeMetricFamily(
            "slotwise_backlog_oldest_age_seconds",
            "Age of the oldest waiting item, by kind (0 when none waits).",
            labels=["kind"],
        )
        for backlog in backlogs:
            depth.add_metric([backlog.kind], backlog.depth)
            oldest = backlog.oldest_at
            age.add_metric([backlog.kind], max(0, now - oldest) if oldest is not None else 0)
        yield depth
        yield age
        calendars = GaugeMetricFamily(
            "slotwise_mirror_calendars",
            "Remote calendars mirrored, by grant kind.",
            labels=["kind"],
        )
        failing = GaugeMetricFamily(
            "slotwise_mirror_failing_calendars",
            "Remote calendars whose last sync failed, by grant kind.",
            labels=["kind"],
        )
        sync_age = GaugeMetricFamily(
            "slotwise_mirror_oldest_sync_age_seconds",
            "Time since the least recently synced calendar of each grant kind last synced.",
            labels=["kind"],
        )
        never = GaugeMetricFamily(
            "slotwise_mirror_never_synced_calendars",
            "Remote calendars not synced successfully even once, by grant kind.",
            labels=["kind"],
        )
        for mirror in mirrors:
            calendars.add_metric([mirror.kind], mirror.calendars)
            failing.add_metric([mirror.kind], mirror.failing)
            never.add_metric([mirror.kind], mirror.never_synced)
            oldest = mirror.oldest_synced_at
            sync_age.add_metric([mirror.kind], max(0, now - oldest) if oldest is not None else 0)
        yield calendars
        yield failing
        yield sync_age
        yield never

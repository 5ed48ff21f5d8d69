"""How often mirrors refresh and how long a calendar server may take (set from Settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ProviderPolicy:
    # A remote calendar whose last sync attempt is older than this is refreshed before its
    # busy time is read (availability, free/busy, booking checks) and by the worker.
    sync_seconds: float = 60.0
    # Connect/read timeout of one request to a calendar server.
    timeout_seconds: float = 10.0


POLICY = ProviderPolicy()


def configure(sync_seconds: float, timeout_seconds: float) -> None:
    POLICY.sync_seconds = sync_seconds
    POLICY.timeout_seconds = timeout_seconds

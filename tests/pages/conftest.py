from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import LiveServer


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client for the live server with no credentials."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client for the live server with no credentials."""
    with http_client(base_url=server.url, timeout=HTTP_TIMEOUT) as client:
        yield client

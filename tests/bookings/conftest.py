"""What the booking race tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import API_KEY
from tests.support.processes import ServerProcess
from tests.support.server import LiveServer


@pytest.fixture(params=["threads", "two-processes"])
def urls(
    request: pytest.FixtureRequest, server: LiveServer, database_url: str, tmp_path: Path
) -> Iterator[list[str]]:
    """Where racing requests go: the test server (threads), or two server processes on the
    same database."""
    if request.param == "threads":
        yield [server.url]
        return
    processes = [ServerProcess(database_url, API_KEY, tmp_path) for _ in range(2)]
    try:
        yield [p.wait_ready().url for p in processes]
    finally:
        for p in processes:
            p.stop()

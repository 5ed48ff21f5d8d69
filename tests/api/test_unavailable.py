"""A database that goes away: 503 with Retry-After, connections that stay usable, recovery.

Each test runs its own live server over a database of its own (so making it unavailable
disturbs nobody else), and talks to it over one keep-alive connection, checking after every
response that the next request travels on the same socket.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import Request

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from tests.conftest import API_KEY
from tests.support.databases import PG_ENV, fresh_postgres_url
from tests.support.faults import BrokenWritesDir, allow_postgres, refuse_postgres
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


class Connection:
    """One keep-alive HTTP connection; `get` fails the test if the server dropped it."""

    def __init__(self, url: str) -> None:
        self.client = http_client(
            base_url=url,
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=HTTP_TIMEOUT,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self.local: object = None

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        stream = response.extensions["network_stream"]
        local = stream.get_extra_info("client_addr")
        if self.local is not None:
            assert local == self.local, "the server closed the keep-alive connection"
        self.local = local
        assert response.headers.get("connection", "").lower() != "close", response.headers
        return response

    def close(self) -> None:
        self.client.close()


def _serve(settings: Settings, url: str) -> tuple[LiveServer, Database]:
    db = Database(url)
    server = LiveServer(dataclasses.replace(settings, database_url=url), db)

    async def boom(request: Request) -> None:  # an endpoint with a bug in it
        raise RuntimeError("a bug")

    server.app.add_api_route("/test-only/boom", boom)
    return server.start(), db


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"]["type"] == "service_unavailable"
    assert int(response.headers["retry-after"]) > 0
    assert body["error"]["retry_after"] == int(response.headers["retry-after"])
    assert body["request_id"] == response.headers["x-request-id"]


def _create_grant(conn: Connection, email: str) -> httpx.Response:
    return conn.request(
        "POST",
        "/v3/connect/custom",
        json={"provider": "virtual-calendar", "settings": {"email": email}},
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set")
    url = fresh_postgres_url(f"refusal_{os.getpid()}")
    upgrade(url)
    yield url
    allow_postgres(url)


@pytest.mark.slow
def test_a_500_keeps_the_connection_usable(base_settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slotwise.db'}"
    upgrade(url)
    server, db = _serve(base_settings, url)
    conn = Connection(server.url)
    try:
        assert conn.request("GET", "/v3/grants").status_code == 200
        failed = conn.request("GET", "/test-only/boom")
        assert failed.status_code == 500
        assert failed.json()["error"]["type"] == "internal_error"
        assert failed.headers["x-request-id"] == failed.json()["request_id"]
        # The next request on the same socket is answered.
        assert conn.request("GET", "/v3/grants").status_code == 200
    finally:
        conn.close()
        server.stop()
        db.dispose()


def test_postgres_refusing_connections_answers_503_then_recovers(
    base_settings: Settings, postgres_url: str
) -> None:
    server, db = _serve(base_settings, postgres_url)
    conn = Connection(server.url)
    try:
        assert _create_grant(conn, "before@example.com").status_code == 200
        assert conn.request("GET", "/readyz").status_code == 200
        refuse_postgres(postgres_url)
        for _ in range(3):  # terminated pooled connections, then refused new ones
            _assert_unavailable(conn.request("GET", "/v3/grants"))
            _assert_unavailable(_create_grant(conn, "during@example.com"))
        _assert_unavailable(conn.request("GET", "/readyz"))
        allow_postgres(postgres_url)
        assert conn.request("GET", "/readyz").status_code == 200
        assert _create_grant(conn, "after@example.com").status_code == 200
        emails = {g["email"] for g in conn.request("GET", "/v3/grants").json()["data"]}
        assert emails == {"before@example.com", "after@example.com"}
    finally:
        conn.close()
        server.stop()
        db.dispose()
        allow_postgres(postgres_url)


def test_sqlite_data_dir_refusing_writes_is_not_ready_and_recovers(
    base_settings: Settings, tmp_path: Path
) -> None:
    data = BrokenWritesDir(tmp_path / "data")
    url = f"sqlite:///{data.path / 'slotwise.db'}"
    upgrade(url)
    server, db = _serve(base_settings, url)
    conn = Connection(server.url)
    try:
        assert _create_grant(conn, "before@example.com").status_code == 200
        assert conn.request("GET", "/readyz").json()["data"] == {"status": "ready"}
        # Empty the WAL first, so the next write needs new room on disk (a write that fits in
        # WAL pages already allocated succeeds even on a full disk, and rightly so).
        with sqlite3.connect(data.path / "slotwise.db") as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data.break_writes()
        # Full disk or read-only directory: reads still work, every write fails, and readiness
        # says so.
        assert conn.request("GET", "/healthz").status_code == 200
        not_ready = conn.request("GET", "/readyz")
        _assert_unavailable(not_ready)
        assert "does not take writes" in not_ready.json()["error"]["message"]
        _assert_unavailable(_create_grant(conn, "during@example.com"))
        data.restore()
        # The same process recovers: no restart.
        assert conn.request("GET", "/readyz").status_code == 200
        assert _create_grant(conn, "after@example.com").status_code == 200
        emails = {g["email"] for g in conn.request("GET", "/v3/grants").json()["data"]}
        assert emails == {"before@example.com", "after@example.com"}
    finally:
        conn.close()
        server.stop()
        db.dispose()
        data.restore()
        data.close()


def test_web_pages_answer_503_with_retry_after_while_postgres_refuses(
    base_settings: Settings, postgres_url: str
) -> None:
    server, db = _serve(base_settings, postgres_url)
    conn = Connection(server.url)
    try:
        assert conn.request("GET", "/book/no-such-page").status_code == 404
        refuse_postgres(postgres_url)
        # The hosted pages' face of the same 503: a page, with the JSON envelope's Retry-After.
        for method in ("GET", "POST"):
            page = conn.request(method, "/book/no-such-page")
            assert page.status_code == 503, page.text
            assert page.headers["content-type"].startswith("text/html")
            assert int(page.headers["retry-after"]) > 0
        allow_postgres(postgres_url)
        assert conn.request("GET", "/book/no-such-page").status_code == 404
    finally:
        conn.close()
        server.stop()
        db.dispose()
        allow_postgres(postgres_url)

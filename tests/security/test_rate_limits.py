"""Rate limits over real HTTP: 429 in the Nylas envelope with Retry-After, on both databases,
counted together by two `slotwise serve` processes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from tests.conftest import API_KEY
from tests.support.processes import ServerProcess
from tests.support.scheduling import (
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT

# Fixed windows are aligned to multiples of their length: a window of ~31 years does not end
# during a test (the one test of a window's end sets the clock instead).
WINDOW = 1_000_000_000


@pytest.fixture
def limited(
    base_settings: Settings, db: Database, database_url: str
) -> Iterator[Callable[..., LiveServer]]:
    """A server of its own with the given (low) limits, over the emptied test database."""
    servers: list[LiveServer] = []

    def start(window: int = WINDOW, **limits: int) -> LiveServer:
        overrides: dict[str, Any] = {f"rate_limit_{name}": v for name, v in limits.items()}
        settings = dataclasses.replace(
            base_settings,
            database_url=database_url,
            rate_limit_window_seconds=window,
            **overrides,
        )
        server = LiveServer(settings, db).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _client(server: LiveServer, address: str = "127.0.0.1", **headers: str) -> httpx.Client:
    # Loopback is all of 127.0.0.0/8: another source address is another client.
    transport = httpx.HTTPTransport(local_address=address)
    return http_client(
        base_url=server.url, transport=transport, headers=headers, timeout=HTTP_TIMEOUT
    )


def _assert_limited(response: httpx.Response, window: int = WINDOW) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= window
    body = response.json()
    assert body["error"]["type"] == "rate_limit_error"
    assert "retry after" in body["error"]["message"]
    assert body["request_id"]


def _public_config(api: httpx.Client, db: Database) -> str:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        availability={"duration_minutes": 30},
        slug="ada-intro",
    )
    return str(create_config(api, grant_id, body)["id"])


def test_wrong_api_keys_are_refused_with_429_per_key_then_per_address(
    limited: Callable[..., LiveServer],
) -> None:
    server = limited(failed_auth_per_key=3, failed_auth_per_address=5)
    with _client(server) as client:
        wrong = {"Authorization": "Bearer wrong-key-1"}
        for _ in range(3):
            assert client.get("/v3/grants", headers=wrong).status_code == 401
        _assert_limited(client.get("/v3/grants", headers=wrong))
        # Another wrong key is not blocked yet, but the address has two failures left.
        other = {"Authorization": "Bearer wrong-key-2"}
        assert client.get("/v3/grants", headers=other).status_code == 401
        assert client.get("/v3/grants", headers=other).status_code == 401
        _assert_limited(client.get("/v3/grants", headers=other))
        # While blocked, even the right key learns nothing from this address.
        _assert_limited(client.get("/v3/grants", headers={"Authorization": f"Bearer {API_KEY}"}))
    with _client(server, "127.0.0.2") as elsewhere:
        ok = elsewhere.get("/v3/grants", headers={"Authorization": f"Bearer {API_KEY}"})
        assert ok.status_code == 200
        # The key that failed three times is blocked from every address.
        _assert_limited(elsewhere.get("/v3/grants", headers=wrong))


def test_the_block_ends_with_the_window(
    limited: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = limited(window=60, failed_auth_per_address=2)
    start = clock.now() // 60 * 60
    monkeypatch.setattr(clock, "now", lambda: start + 15)
    with _client(server, Authorization="Bearer nope") as client:
        assert client.get("/v3/grants").status_code == 401
        assert client.get("/v3/grants").status_code == 401
        blocked = client.get("/v3/grants")
        _assert_limited(blocked, 60)
        assert blocked.headers["Retry-After"] == "45"
        monkeypatch.setattr(clock, "now", lambda: start + 60)
        assert client.get("/v3/grants").status_code == 401


def test_anonymous_bookings_are_limited_per_address(
    limited: Callable[..., LiveServer], api: httpx.Client, db: Database
) -> None:
    server = limited(public_writes_per_address=3, public_writes_per_configuration=100)
    config_id = _public_config(api, db)
    start = future_hour(days=3, hour=9)
    with _client(server) as guest:
        for i in range(3):
            assert book(guest, config_id, start + i * 3600).status_code == 200
        _assert_limited(book(guest, config_id, start + 3 * 3600))
    with _client(server, "127.0.0.3") as other_guest:
        assert book(other_guest, config_id, start + 4 * 3600).status_code == 200
    # The operator's backend, with the API key, is not limited.
    assert book(api, config_id, start + 5 * 3600).status_code == 200


def test_anonymous_bookings_are_limited_per_configuration(
    limited: Callable[..., LiveServer], api: httpx.Client, db: Database
) -> None:
    server = limited(public_writes_per_address=100, public_writes_per_configuration=2)
    config_id = _public_config(api, db)
    start = future_hour(days=3, hour=9)
    for i, address in enumerate(["127.0.0.4", "127.0.0.5"]):
        with _client(server, address) as guest:
            assert book(guest, config_id, start + i * 3600).status_code == 200
    with _client(server, "127.0.0.6") as guest:
        _assert_limited(book(guest, config_id, start + 2 * 3600))


def test_availability_and_page_loads_are_limited(
    limited: Callable[..., LiveServer], api: httpx.Client, db: Database
) -> None:
    server = limited(public_reads_per_address=3, public_reads_per_configuration=100)
    config_id = _public_config(api, db)
    with _client(server) as guest:
        for _ in range(3):
            response = guest.get(
                "/v3/scheduling/availability",
                params={
                    "configuration_id": config_id,
                    "start_time": future_hour(days=1),
                    "end_time": future_hour(days=2),
                },
            )
            assert response.status_code == 200, response.text
        _assert_limited(guest.get("/v3/scheduling/ui-settings", params={"slug": "ada-intro"}))
        page = guest.get("/book/ada-intro")
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert 1 <= int(page.headers["Retry-After"]) <= WINDOW
        assert "Too many requests" in page.text
    with _client(server, "127.0.0.7") as other:
        assert other.get("/book/ada-intro").status_code == 200


@pytest.mark.process
def test_two_processes_count_together(
    server: LiveServer, api: httpx.Client, db: Database, database_url: str, tmp_path: Path
) -> None:
    limits = {
        "SLOTWISE_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
        "SLOTWISE_RATE_LIMIT_FAILED_AUTH_PER_ADDRESS": "6",
        "SLOTWISE_RATE_LIMIT_FAILED_AUTH_PER_KEY": "100",
        "SLOTWISE_RATE_LIMIT_PUBLIC_WRITES_PER_ADDRESS": "4",
    }
    config_id = _public_config(api, db)
    processes = [ServerProcess(database_url, API_KEY, tmp_path, limits) for _ in range(2)]
    try:
        first, second = (p.wait_ready() for p in processes)
        statuses = []
        for i in range(6):
            target = first if i % 2 == 0 else second
            headers = {"Authorization": f"Bearer wrong-{i}"}
            statuses.append(
                httpx.get(
                    target.url + "/v3/grants", headers=headers, timeout=HTTP_TIMEOUT
                ).status_code
            )
        assert statuses == [401] * 6
        for target in (first, second):
            _assert_limited(
                httpx.get(
                    target.url + "/v3/grants",
                    headers={"Authorization": "Bearer again"},
                    timeout=HTTP_TIMEOUT,
                )
            )
        start = future_hour(days=3, hour=9)
        booked = []
        for i in range(4):
            with http_client(base_url=(first, second)[i % 2].url, timeout=HTTP_TIMEOUT) as guest:
                booked.append(book(guest, config_id, start + i * 3600).status_code)
        assert booked == [200] * 4
        with http_client(base_url=first.url, timeout=HTTP_TIMEOUT) as guest:
            _assert_limited(book(guest, config_id, start + 5 * 3600))
    finally:
        for p in processes:
            p.stop()

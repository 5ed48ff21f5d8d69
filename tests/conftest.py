"""Shared fixtures: migrated databases on each backend, and a live server on loopback."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from slotwise import clock, keyring, outbound
from slotwise.config import Settings
from slotwise.db.engine import Database
from tests.support.databases import backends, empty_all_tables, migrated_url
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT

# Fixtures shared by several folders (the organizer, webhook receiver, SMTP server, worker).
pytest_plugins = ["tests.support.fixtures"]

API_KEY = "test-api-key"
LOOPBACK = ["127.0.0.0/8", "::1"]


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    return migrated_url(backend, tmp_path_factory.mktemp(f"db-{backend}"), worker)


@pytest.fixture(scope="session")
def session_db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def db(session_db: Database) -> Database:
    """The backend's database, emptied for this test."""
    empty_all_tables(session_db)
    return session_db


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        api_key=API_KEY,
        run_worker=False,
        # The feeds, calendar servers and webhook receivers of the tests run on loopback,
        # which the outbound policy refuses unless allowed.
        outbound_allow=LOOPBACK,
    )


@pytest.fixture(autouse=True)
def _keyring(base_settings: Settings) -> None:
    """Every test starts with the test settings' keyring, whatever an earlier test's app
    configured.

    The keyring is the process's: `create_app()` installs its settings' keyring, so an app
    built only to read its routes or its OpenAPI document (tests/support/routes.py) installs
    the key of its own data directory. Left in place, such a key sealed the next tests'
    secrets: the in-process servers could still open them, but a `slotwise worker` process
    started with the test data directory could not, so every claim it made failed
    (SecretKeyError) and it never made an attempt; which tests met it depended on how xdist
    shared out the tests.
    Tests that write rows without a server (factories, workers) seal with the servers' key.
    """
    keyring.configure(base_settings.secret_key, base_settings.data_dir)


@pytest.fixture(autouse=True)
def outbound_policy(base_settings: Settings) -> Iterator[outbound.Policy]:
    """Every test starts with the test settings' outbound policy (loopback allowed), whatever
    an earlier test's app or worker configured."""
    policy = outbound.Policy.from_settings(base_settings)
    outbound.configure(policy)
    yield policy
    outbound.configure(policy)


@pytest.fixture(scope="session")
def session_server(
    base_settings: Settings, session_db: Database, database_url: str
) -> Iterator[LiveServer]:
    settings = dataclasses.replace(base_settings, database_url=database_url)
    server = LiveServer(settings, session_db).start()
    yield server
    server.stop()


@pytest.fixture
def server(session_server: LiveServer, db: Database) -> LiveServer:
    """A live server on loopback over an emptied database."""
    return session_server


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    """An HTTP client for the live server, authenticated with the admin API key."""
    with http_client(
        base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=HTTP_TIMEOUT
    ) as client:
        yield client


@pytest.fixture
def new_client() -> Iterator[Callable[..., httpx.Client]]:
    """Make HTTP clients (for guests, sessions, other servers) that are closed when the test
    ends; keyword arguments go to httpx.Client, with a generous timeout by default."""
    clients: list[httpx.Client] = []

    def make(base_url: str, **kwargs: Any) -> httpx.Client:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        client = http_client(base_url=base_url, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def frozen_clock() -> Iterator[int]:
    """Slotwise's clock stopped at the current second (returned); move it with
    `clock.advance` or `clock.freeze`. The in-process servers and workers read it too."""
    at = int(clock.now())
    clock.freeze(at)
    yield at
    clock.freeze(None)


@pytest.fixture(autouse=True)
def _still_clock_for_browsers(request: pytest.FixtureRequest) -> None:
    """A browser test runs against a stopped server clock. The pages book with no notice, so
    the first slot a page lists starts within minutes; on a busy machine the browser can take
    longer than that to fill the form, and the slot would begin (and stop being offered)
    before the guest's "Book now" arrives."""
    if request.node.get_closest_marker("browser") is not None:
        request.getfixturevalue("frozen_clock")


# Fixtures that start another program: a test using one (directly or through another
# fixture) is a `process` test.
PROCESS_FIXTURES = {"radicale", "own_radicale"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks that follow from what a test uses, so no test has to remember them."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        if params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        uses = set(getattr(item, "fixturenames", ()))
        if uses & PROCESS_FIXTURES or params.get("urls") == "two-processes":
            item.add_marker(pytest.mark.process)

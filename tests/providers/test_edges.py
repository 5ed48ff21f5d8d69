"""Provider edge cases found by trying Slotwise as a new user would: races with the worker,
servers without sync tokens, objects changed on the server, servers that hang."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderItem
from slotwise.providers.sync import sync_now
from tests.providers.conftest import Account
from tests.providers.test_caldav import _book, _calendars, _connect, _organizer_config
from tests.support.relay import Relay
from tests.support.scheduling import future_hour


@pytest.fixture
def relay(account: Account) -> Iterator[Relay]:
    server = Relay(account.server.url).start()
    yield server
    server.stop()


def _primary(api: httpx.Client, grant: dict) -> str:
    return str(next(c["id"] for c in _calendars(api, grant["id"]) if c["is_primary"]))


@pytest.mark.parametrize("via", ["booking", "events"])
def test_a_sync_between_write_back_and_commit_does_not_fail_the_request(
    api: httpx.Client, account: Account, relay: Relay, db: Database, via: str
) -> None:
    grant = _connect(api, account, url=relay.url + "/")
    calendar_id = _primary(api, grant)
    config = _organizer_config(api, grant)
    threads: list[threading.Thread] = []

    def sync_in_between(method: str, path: str, status: int) -> None:
        # The worker syncs the calendar right after the booking's PUT reached the server
        # and before the booking's transaction commits.
        if method != "PUT":
            return

        def run() -> None:
            # The sync may lose to the request (it is retried later).
            with contextlib.suppress(Exception):
                sync_now(db, calendar_id)

        thread = threading.Thread(target=run)
        threads.append(thread)
        thread.start()
        thread.join(2)

    relay.after = sync_in_between
    start = future_hour(days=2, hour=10)
    if via == "booking":
        response = _book(api, config["id"], start)
    else:
        response = api.post(
            f"/v3/grants/{grant['id']}/events",
            params={"calendar_id": calendar_id},
            json={"title": "Mine", "when": {"start_time": start, "end_time": start + 1800}},
        )
    relay.after = None
    for thread in threads:
        thread.join(30)
    assert threads, "the booking did not write to the server"
    assert response.status_code == 200, response.text
    sync_now(db, calendar_id)
    with db.session(write=False) as session:
        live = list(
            session.scalars(
                select(Event).where(Event.calendar_id == calendar_id, Event.status != "cancelled")
            )
        )
        items = list(session.scalars(select(ProviderItem)))
    # One event, linked to its remote object: no duplicate mirrored copy.
    assert [(e.start_ts, e.end_ts) for e in live] == [(start, start + 1800)]
    assert [i.event_id for i in items] == [live[0].id]

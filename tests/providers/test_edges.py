"""Provider edge cases found by trying Slotwise as a new user would: races with the worker,
servers without sync tokens, objects changed on the server, servers that hang."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from slotwise.config import DeliveryPolicy
from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderCalendar, ProviderItem
from slotwise.events import remote_writes
from slotwise.providers.policy import POLICY
from slotwise.providers.sync import sync_now
from tests.providers.conftest import Account, simple_event
from tests.providers.test_caldav import _book, _calendars, _connect, _organizer_config
from tests.support.relay import Relay
from tests.support.scheduling import future_hour

HOUR = 3600


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
    if via == "booking":
        # A booking commits first; the worker writes its event to the server afterwards.
        assert response.status_code == 200, response.text
        assert not threads, "the booking wrote to the server before its commit"
        assert remote_writes.write_due(db, DeliveryPolicy()) == 1
    relay.after = None
    for thread in threads:
        thread.join(30)
    assert threads, "the event was not written to the server"
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


def _mirror(db: Database, calendar_id: str) -> dict[str, tuple[int, int, str | None]]:
    with db.session(write=False) as session:
        rows = session.scalars(
            select(Event).where(Event.calendar_id == calendar_id, Event.status != "cancelled")
        )
        return {str(e.ical_uid): (e.start_ts, e.end_ts, e.title) for e in rows}


def test_a_server_without_sync_tokens_is_mirrored_by_ctag_and_time_range(
    api: httpx.Client, account: Account, relay: Relay, db: Database
) -> None:
    # The relay hides the sync-token property, as servers without RFC 6578 do.
    relay.rewrite = lambda method, path, body: re.sub(
        rb"<[A-Za-z0-9]*:?sync-token\s*/>|<([A-Za-z0-9]*:?)sync-token>[^<]*</\1sync-token>",
        b"",
        body,
    )
    t0 = future_hour(days=3, hour=9)
    account.put("a.ics", simple_event("a", t0, t0 + HOUR, "SUMMARY:A"))
    account.put("b.ics", simple_event("b", t0 + 2 * HOUR, t0 + 3 * HOUR, "SUMMARY:B"))
    grant = _connect(api, account, url=relay.url + "/")
    calendar_id = _primary(api, grant)
    assert _mirror(db, calendar_id) == {
        "a": (t0, t0 + HOUR, "A"),
        "b": (t0 + 2 * HOUR, t0 + 3 * HOUR, "B"),
    }
    with db.session(write=False) as session:
        state = session.get(ProviderCalendar, calendar_id)
        assert state is not None and state.sync_token is None and state.ctag
    # Unchanged ctag: one PROPFIND, nothing listed or read.
    relay.seen.clear()
    sync_now(db, calendar_id)
    assert [m for m, _ in relay.seen] == ["PROPFIND"]
    # A change, a deletion and an addition on the server.
    account.put("a.ics", simple_event("a", t0, t0 + HOUR, "SUMMARY:A2"))
    account.delete("b.ics")
    account.put("c.ics", simple_event("c", t0 + 4 * HOUR, t0 + 5 * HOUR, "SUMMARY:C"))
    sync_now(db, calendar_id)
    assert _mirror(db, calendar_id) == {
        "a": (t0, t0 + HOUR, "A2"),
        "c": (t0 + 4 * HOUR, t0 + 5 * HOUR, "C"),
    }


def test_writing_over_an_object_changed_on_the_server_is_a_409(
    api: httpx.Client, account: Account, db: Database
) -> None:
    grant = _connect(api, account)
    calendar_id = _primary(api, grant)
    t0 = future_hour(days=3, hour=13)
    created = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": calendar_id},
        json={"title": "Ours", "when": {"start_time": t0, "end_time": t0 + HOUR}},
    )
    assert created.status_code == 200, created.text
    event_id = created.json()["data"]["id"]
    (href, text), *_ = account.objects().items()
    account.put(href.rsplit("/", 1)[-1], text.replace("SUMMARY:Ours", "SUMMARY:Theirs"))
    changed = api.put(
        f"/v3/grants/{grant['id']}/events/{event_id}",
        params={"calendar_id": calendar_id},
        json={"title": "Ours again"},
    )
    assert changed.status_code == 409, changed.text
    assert changed.json()["error"]["type"] == "provider_error"
    assert _mirror(db, calendar_id)[f"{event_id}@slotwise"][2] == "Ours"
    assert "SUMMARY:Theirs" in next(iter(account.objects().values()))
    deleted = api.delete(
        f"/v3/grants/{grant['id']}/events/{event_id}", params={"calendar_id": calendar_id}
    )
    assert deleted.status_code == 409, deleted.text
    # Once synced, the change goes through.
    sync_now(db, calendar_id)
    assert _mirror(db, calendar_id)[f"{event_id}@slotwise"][2] == "Theirs"
    changed = api.put(
        f"/v3/grants/{grant['id']}/events/{event_id}",
        params={"calendar_id": calendar_id},
        json={"title": "Ours again"},
    )
    assert changed.status_code == 200, changed.text
    assert "SUMMARY:Ours again" in next(iter(account.objects().values()))


@pytest.fixture
def short_timeout() -> Iterator[None]:
    before = POLICY.timeout_seconds
    POLICY.timeout_seconds = 1
    yield
    POLICY.timeout_seconds = before


def test_a_server_that_hangs_costs_at_most_the_timeout(
    api: httpx.Client,
    account: Account,
    relay: Relay,
    db: Database,
    short_timeout: None,
    always_sync: None,
) -> None:
    t0 = future_hour(days=3, hour=9)
    account.put("a.ics", simple_event("a", t0, t0 + HOUR))
    grant = _connect(api, account, url=relay.url + "/")
    calendar_id = _primary(api, grant)
    # The relay holds every request until the test ends, so an answer that comes back at all
    # came from Slotwise's own 1 s timeout.
    relay.hold = True
    created = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": calendar_id},
        json={"title": "Lost", "when": {"start_time": t0 + HOUR, "end_time": t0 + 2 * HOUR}},
    )
    assert created.status_code == 504, created.text
    assert created.json()["error"]["type"] == "provider_error"
    busy = api.post(
        f"/v3/grants/{grant['id']}/calendars/free-busy",
        json={"start_time": t0 - HOUR, "end_time": t0 + 3 * HOUR, "emails": [grant["email"]]},
    )
    assert busy.status_code == 200, busy.text
    assert not relay.released.is_set()
    slots = busy.json()["data"][0]["time_slots"]
    assert [(s["start_time"], s["end_time"]) for s in slots] == [(t0, t0 + HOUR)]
    with db.session(write=False) as session:
        state = session.get(ProviderCalendar, calendar_id)
        assert state is not None and state.error and "in time" in state.error
    assert "Lost" not in [v[2] for v in _mirror(db, calendar_id).values()]


def test_calendars_removed_on_the_server_go_on_reconnect(
    api: httpx.Client, account: Account, db: Database
) -> None:
    home = account.server.mkcalendar(account.user, account.password, "home", "Home")
    t0 = future_hour(days=3, hour=9)
    with account.client() as client:
        ics = simple_event("h", t0, t0 + HOUR).encode()
        assert client.put(home + "h.ics", content=ics).status_code == 201
    grant = _connect(api, account)
    names = {c["name"]: c for c in _calendars(api, grant["id"])}
    assert set(names) == {"Work", "Home"}
    # The primary one goes first: the other becomes the primary.
    gone = next(c for c in names.values() if c["is_primary"])
    kept = next(c for c in names.values() if not c["is_primary"])
    with account.client() as client:
        path = account.path if gone["name"] == "Work" else home
        assert client.delete(path).status_code in (200, 204)
    assert _connect(api, account)["id"] == grant["id"]
    after = _calendars(api, grant["id"])
    assert [(c["id"], c["is_primary"]) for c in after] == [(kept["id"], True)]
    with db.session(write=False) as session:
        calendars = {e.calendar_id for e in session.scalars(select(Event))}
        assert gone["id"] not in calendars
        assert session.get(ProviderCalendar, gone["id"]) is None


def test_a_booking_commits_while_the_server_refuses_its_write_and_the_write_is_retried(
    api: httpx.Client, account: Account, relay: Relay, db: Database
) -> None:
    """The booking and its local event are committed whatever the calendar server says; the
    refused write is recorded with its error and made once the server takes writes again."""
    grant = _connect(api, account, url=relay.url + "/")
    config = _organizer_config(api, grant)
    start = future_hour(days=2, hour=11)
    relay.refuse = {"PUT"}
    response = _book(api, config["id"], start)
    assert response.status_code == 200, response.text
    # The slot is taken at once: the local event counts before it reaches the server.
    assert _book(api, config["id"], start).status_code == 409
    policy = DeliveryPolicy()
    assert remote_writes.write_due(db, policy) == 1
    [failed] = remote_writes.pending(db)
    assert failed.attempts == 1 and failed.error is not None and "503" in failed.error
    assert failed.next_attempt_ms > time.time() * 1000  # backed off: not due again at once
    assert account.objects() == {}
    relay.refuse = set()
    remote_writes.retry_now(db)
    assert remote_writes.write_due(db, policy) == 1
    assert remote_writes.pending(db) == []
    [written] = account.objects().values()
    assert "guest@example.com" in written
    # Cancelling deletes it from the server, after the commit as well.
    booking_id = response.json()["data"]["booking_id"]
    cancelled = api.request(
        "DELETE",
        f"/v3/scheduling/bookings/{booking_id}",
        params={"configuration_id": config["id"]},
        json={"cancellation_reason": "no"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert len(account.objects()) == 1
    assert remote_writes.write_due(db, policy) == 1
    assert account.objects() == {}

"""A slow remote calendar holds up only the bookings that need it.

The hosts' remote calendars are fetched before a booking takes its locks (on SQLite: the one
write lock; on PostgreSQL: one of the few booking threads), so while a feed takes its time an
unrelated booking completes, and the slow booking, once the feed answers, is judged against
what the feed said.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest

from slotwise.providers.policy import POLICY
from tests.providers.conftest import simple_event
from tests.support.feeds import Feed
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


@pytest.fixture
def feed() -> Iterator[Feed]:
    server = Feed().start()
    yield server
    server.stop()


@pytest.fixture
def patient_provider() -> Iterator[None]:
    """A calendar server may take a minute: only the test's release ends the wait."""
    before = POLICY.timeout_seconds
    POLICY.timeout_seconds = 60
    yield
    POLICY.timeout_seconds = before


def test_an_unrelated_booking_completes_while_a_feed_is_slow(
    server: LiveServer, api: httpx.Client, db: object, feed: Feed, patient_provider: None
) -> None:
    t0 = future_hour(days=3)
    feed.body = simple_event("far", t0 + 20 * HOUR, t0 + 21 * HOUR)
    connected = api.post(
        "/v3/connect/custom",
        json={"provider": "ics", "settings": {"email": "feed@example.com", "url": feed.url}},
    )
    assert connected.status_code == 200, connected.text
    feed_grant = connected.json()["data"]["id"]
    feed_calendar = api.get(f"/v3/grants/{feed_grant}/calendars").json()["data"][0]["id"]

    host_grant, host_calendar = make_grant(db, "host@example.com")  # type: ignore[arg-type]
    watched = participant("host@example.com", host_calendar, organizer=True)
    feed_person = {
        "email": "feed@example.com",
        "name": "Feed",
        "availability": {"calendar_ids": [feed_calendar]},
    }
    slow_config = create_config(api, host_grant, config_body([watched, feed_person]))
    other_grant, other_calendar = make_grant(db, "other@example.com")  # type: ignore[arg-type]
    other_config = create_config(
        api,
        other_grant,
        config_body([participant("other@example.com", other_calendar, organizer=True)]),
    )

    # Three bookings that need the feed (as many as a process has booking threads), each for
    # its own slot; the feed will say the first slot is busy.
    feed.hold()
    slow_starts = [t0, t0 + HOUR, t0 + 2 * HOUR]
    with ThreadPoolExecutor(len(slow_starts)) as pool:

        def slow(start: int) -> httpx.Response:
            with http_client(base_url=server.url, timeout=120) as client:
                return book(client, slow_config["id"], start)

        pending: list[Future[httpx.Response]] = [pool.submit(slow, s) for s in slow_starts]
        feed.wait_for_waiting(len(slow_starts))

        with http_client(base_url=server.url, timeout=HTTP_TIMEOUT) as client:
            unrelated = book(client, other_config["id"], t0)
        assert unrelated.status_code == 200, unrelated.text
        # ...while every slow booking is still waiting on the feed.
        assert not any(f.done() for f in pending)
        assert feed.waiting == len(slow_starts)

        feed.body = simple_event("now-busy", t0, t0 + HOUR)
        feed.release()
        results = [f.result(timeout=60) for f in pending]

    assert results[0].status_code == 409, results[0].text  # judged against what was fetched
    assert results[0].json()["error"]["type"] == "timeslot_not_available"
    assert [r.status_code for r in results[1:]] == [200, 200], [r.text for r in results]
    bookings = api.get(
        f"/v3/grants/{host_grant}/events",
        params={"calendar_id": host_calendar, "start": t0 - HOUR, "end": t0 + 5 * HOUR},
    )
    assert sorted(e["when"]["start_time"] for e in bookings.json()["data"]) == slow_starts[1:]

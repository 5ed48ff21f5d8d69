"""No secret ever reaches a log line.

One live `slotwise serve` process (with its in-process worker) goes through what handles
secrets: connecting CalDAV with a password (and a wrong one), an ICS feed whose URL carries
user-info, the admin API key (and a wrong one), a scheduling session, a booking and its
booking_ref (its hosted page and a reschedule by reference), a webhook with its secret and a
signed delivery. Then every secret the test created is looked for in everything the process
wrote.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.providers.conftest import simple_event
from tests.support.feeds import Feed
from tests.support.processes import ServerProcess
from tests.support.radicale import Radicale
from tests.support.scheduling import HOUR, config_body, future_hour, participant
from tests.support.waiting import HTTP_TIMEOUT, wait_until
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.process


def test_no_secret_reaches_the_log(tmp_path: Path, new_client: Callable[..., httpx.Client]) -> None:
    created: dict[str, str] = {}
    api_key = created["api key"] = "sw_" + secrets.token_urlsafe(24)
    wrong_key = created["a wrong api key"] = "sw_" + secrets.token_urlsafe(24)
    password = created["caldav password"] = secrets.token_urlsafe(16)
    wrong_password = created["a wrong caldav password"] = secrets.token_urlsafe(16)
    feed_password = created["feed url password"] = secrets.token_urlsafe(16)

    (tmp_path / "radicale").mkdir()
    radicale = Radicale(tmp_path / "radicale").start()
    feed = Feed().start()
    receiver = Receiver().start()
    log_path = tmp_path / "serve.log"
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'slotwise.db'}",
        api_key,
        tmp_path,
        args=(),  # with the in-process worker: deliveries and syncs are logged too
        env={"SLOTWISE_RUN_WORKER": "true", "SLOTWISE_WORKER_POLL_SECONDS": "0.1"},
        output=log_path,
    )
    try:
        server.wait_ready()
        api = new_client(server.url, headers={"Authorization": f"Bearer {api_key}"})
        radicale.add_user("logan", password)
        radicale.mkcalendar("logan", password, "work", "Work")
        caldav = {"email": "logan@example.com", "url": radicale.url + "/", "username": "logan"}
        refused = api.post(
            "/v3/connect/custom",
            json={"provider": "caldav", "settings": {**caldav, "password": wrong_password}},
        )
        assert refused.status_code in (400, 401, 502), refused.text
        grant = api.post(
            "/v3/connect/custom",
            json={"provider": "caldav", "settings": {**caldav, "password": password}},
        )
        assert grant.status_code == 200, grant.text
        grant_id = grant.json()["data"]["id"]
        assert (
            httpx.get(
                server.url + "/v3/grants",
                headers={"Authorization": f"Bearer {wrong_key}"},
                timeout=HTTP_TIMEOUT,
            ).status_code
            == 401
        )

        t0 = future_hour(days=3)
        feed.body = simple_event("busy", t0 + 5 * HOUR, t0 + 6 * HOUR)
        feed_url = feed.url.replace("http://", f"http://feeder:{feed_password}@")
        connected = api.post(
            "/v3/connect/custom",
            json={"provider": "ics", "settings": {"email": "feed@example.com", "url": feed_url}},
        )
        assert connected.status_code == 200, connected.text

        hook = api.post(
            "/v3/webhooks",
            json={"trigger_types": ["booking.created"], "webhook_url": receiver.url},
        )
        assert hook.status_code == 200, hook.text
        receiver.secret = created["webhook secret"] = hook.json()["data"]["webhook_secret"]

        calendars = api.get(f"/v3/grants/{grant_id}/calendars").json()["data"]
        primary = next(c for c in calendars if c["is_primary"])
        body = config_body(
            [participant("logan@example.com", primary["id"], organizer=True)],
            requires_session_auth=True,
        )
        config = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
        assert config.status_code == 200, config.text
        config_id = config.json()["data"]["id"]
        session = api.post("/v3/scheduling/sessions", json={"configuration_id": config_id})
        session_id = created["scheduling session"] = session.json()["data"]["session_id"]
        guest = new_client(server.url, headers={"Authorization": f"Bearer {session_id}"})
        slots = guest.get(
            "/v3/scheduling/availability",
            params={"start_time": t0, "end_time": t0 + 4 * HOUR},
        )
        assert slots.status_code == 200, slots.text
        booked = guest.post(
            "/v3/scheduling/bookings",
            json={
                "start_time": t0,
                "end_time": t0 + 1800,
                "guest": {"email": "guest@example.com", "name": "Guest"},
            },
        )
        assert booked.status_code == 200, booked.text
        ref = created["booking ref"] = booked.json()["data"]["booking_ref"]
        assert httpx.get(server.url + f"/bookings/{ref}", timeout=HTTP_TIMEOUT).status_code == 200
        moved = httpx.post(
            server.url + f"/bookings/{ref}/reschedule",
            data={"start": str(t0 + HOUR)},
            headers={"Origin": server.url},
            timeout=HTTP_TIMEOUT,
        )
        assert moved.status_code in (200, 303, 409), moved.text
        wait_until(lambda: receiver.received, "the signed webhook delivery")
        assert receiver.bad_signatures == 0
    finally:
        server.stop()
        receiver.stop()
        feed.stop()
        radicale.stop()

    logged = log_path.read_text(errors="replace")
    # The log is really there: requests, a delivery and syncs were written.
    assert "slotwise.request" in logged and "/v3/scheduling/bookings" in logged
    assert "delivery webhook" in logged and "sync of calendar" in logged
    leaked = [what for what, secret in created.items() if secret in logged]
    assert leaked == [], f"secrets in the log: {leaked}"

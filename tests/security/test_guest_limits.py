"""What a configuration hides from guests is refused to guests by the API, not only by the UI;
and one booking names a bounded number of additional guests (each one gets emails)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from slotwise.db.engine import Database
from tests.security.conftest import outbox
from tests.support.scheduling import HOUR, book, future_hour
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


def _guests(n: int) -> list[dict[str, str]]:
    return [{"email": f"friend{i}@example.com", "name": f"Friend {i}"} for i in range(n)]


def _session_client(api: httpx.Client, server: LiveServer, config_id: str) -> httpx.Client:
    response = api.post("/v3/scheduling/sessions", json={"configuration_id": config_id})
    assert response.status_code == 200, response.text
    token = response.json()["data"]["session_id"]
    return http_client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
    )


def test_hidden_additional_guests_are_refused_to_guests(
    guest: httpx.Client,
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    make_config: Callable[..., Any],
) -> None:
    config = make_config(scheduler={"hide_additional_guests": True})
    with _session_client(api, server, config["id"]) as session:
        for i, client in enumerate((guest, session)):
            response = book(
                client, config["id"], future_hour(2, 10 + i), additional_guests=_guests(1)
            )
            assert response.status_code == 400, response.text
            assert response.json()["error"]["message"].startswith("additional_guests")
            assert book(client, config["id"], future_hour(2, 10 + i)).status_code == 200
    booked = outbox(db, "booking.created")
    assert len(booked) == 2
    assert all(len(m.payload["booking_info"]["participants"]) == 2 for m in booked)
    by_key = book(api, config["id"], future_hour(3, 10), additional_guests=_guests(1))
    assert by_key.status_code == 200, by_key.text


def test_additional_guests_are_capped_for_everyone(
    guest: httpx.Client, api: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    config = make_config()
    for client in (guest, api):
        response = book(client, config["id"], future_hour(2, 10), additional_guests=_guests(300))
        assert response.status_code == 400, response.text
        message = response.json()["error"]["message"]
        assert message.startswith("additional_guests") and "10" in message
    assert outbox(db) == []
    assert (
        book(guest, config["id"], future_hour(2, 10), additional_guests=_guests(10)).status_code
        == 200
    )


def test_the_cap_is_a_setting(
    server: LiveServer, db: Database, make_config: Callable[..., Any]
) -> None:
    config = make_config()
    settings = dataclasses.replace(server.settings, max_additional_guests=2)
    capped = LiveServer(settings, db).start()
    try:
        with http_client(base_url=capped.url, timeout=HTTP_TIMEOUT) as client:
            refused = book(client, config["id"], future_hour(2, 10), additional_guests=_guests(3))
            assert refused.status_code == 400, refused.text
            assert "at most 2" in refused.json()["error"]["message"]
            fine = book(client, config["id"], future_hour(2, 10), additional_guests=_guests(2))
            assert fine.status_code == 200, fine.text
    finally:
        capped.stop()


@pytest.mark.parametrize(
    ("option", "method"),
    [("hide_cancellation_options", "DELETE"), ("hide_rescheduling_options", "PATCH")],
)
def test_hidden_cancel_and_reschedule_are_refused_to_guests(
    guest: httpx.Client,
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    make_config: Callable[..., Any],
    option: str,
    method: str,
) -> None:
    config = make_config(scheduler={option: True})
    start = future_hour(2, 10)
    created = book(guest, config["id"], start).json()["data"]
    url = f"/v3/scheduling/bookings/{created['booking_id']}"
    params = {"configuration_id": config["id"]}
    body = {"start_time": start + HOUR, "end_time": start + HOUR + 1800}
    with _session_client(api, server, config["id"]) as session:
        for client in (guest, session):
            refused = client.request(method, url, params=params, json=body)
            assert refused.status_code == 403, refused.text
            assert option in refused.json()["error"]["message"]
    what = "cancel" if method == "DELETE" else "reschedule"
    page = guest.post(
        f"/bookings/{created['booking_ref']}/{what}", data={"start": body["start_time"]}
    )
    assert page.status_code == 403
    assert [m.trigger for m in outbox(db) if m.trigger.startswith("booking.")] == [
        "booking.created"
    ]
    allowed = api.request(method, url, params=params, json=body)
    assert allowed.status_code == 200, allowed.text

"""/v3/webhooks over real HTTP: CRUD, challenge handshake, triggers, rotation, ip-addresses."""

from __future__ import annotations

import dataclasses

import httpx

from slotwise.config import Settings
from slotwise.db.engine import Database
from tests.conftest import API_KEY
from tests.support.server import LiveServer, free_port
from tests.support.waiting import HTTP_TIMEOUT
from tests.webhooks.receiver import Receiver

PY_REQUIRED = {
    "id",
    "trigger_types",
    "webhook_url",
    "status",
    "notification_email_addresses",
    "status_updated_at",
    "created_at",
    "updated_at",
}


def create(api: httpx.Client, receiver: Receiver, **extra: object) -> dict:
    body = {"trigger_types": ["booking.created"], "webhook_url": receiver.url, **extra}
    response = api.post("/v3/webhooks", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_create_find_list_update_delete(api: httpx.Client, receiver: Receiver) -> None:
    created = create(
        api,
        receiver,
        description="bookings",
        notification_email_addresses=["ops@example.com"],
        compressed_delivery=True,
    )
    assert set(created) >= PY_REQUIRED
    assert len(created["webhook_secret"]) == 64
    assert created["status"] == "active"
    assert created["compressed_delivery"] is True
    assert receiver.challenges == 1

    found = api.get(f"/v3/webhooks/{created['id']}").json()["data"]
    assert set(found) >= PY_REQUIRED and "webhook_secret" not in found
    listed = api.get("/v3/webhooks").json()
    assert [w["id"] for w in listed["data"]] == [created["id"]]
    assert listed["next_cursor"] is None
    assert all("webhook_secret" not in w for w in listed["data"])

    updated = api.put(
        f"/v3/webhooks/{created['id']}",
        json={"trigger_types": ["booking.created", "booking.cancelled"], "status": "pause"},
    ).json()["data"]
    assert updated["trigger_types"] == ["booking.created", "booking.cancelled"]
    assert updated["status"] == "pause"
    assert updated["description"] == "bookings"  # left out: unchanged
    assert "webhook_secret" not in updated

    deleted = api.delete(f"/v3/webhooks/{created['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["data"] == {"status": "success"}
    assert set(deleted.json()) == {"request_id", "data"}
    assert api.get(f"/v3/webhooks/{created['id']}").status_code == 404


def test_create_requires_the_challenge_echo(api: httpx.Client, receiver: Receiver) -> None:
    receiver.echo_challenge = False
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("webhook_url")
    assert api.get("/v3/webhooks").json()["data"] == []

    unreachable = f"http://127.0.0.1:{free_port()}/hook"
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": unreachable}
    )
    assert response.status_code == 400
    assert "webhook_url" in response.json()["error"]["message"]


def test_challenge_must_answer_within_the_timeout(
    db: Database, base_settings: Settings, database_url: str, receiver: Receiver
) -> None:
    settings = dataclasses.replace(
        base_settings, database_url=database_url, webhook_challenge_timeout=0.5
    )
    server = LiveServer(settings, db).start()
    try:
        receiver.challenge_delay = 1.5
        response = httpx.post(
            server.url + "/v3/webhooks",
            json={"trigger_types": ["booking.created"], "webhook_url": receiver.url},
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=HTTP_TIMEOUT,
        )
        assert response.status_code == 400
        assert "webhook_url" in response.json()["error"]["message"]
    finally:
        server.stop()


def test_unknown_and_missing_fields_are_refused(api: httpx.Client, receiver: Receiver) -> None:
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.exploded"], "webhook_url": receiver.url}
    )
    assert response.status_code == 400
    assert "booking.exploded" in response.json()["error"]["message"]
    assert receiver.challenges == 0
    response = api.post("/v3/webhooks", json={"webhook_url": receiver.url})
    assert response.status_code == 400
    assert "trigger_types" in response.json()["error"]["message"]
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": "ftp://x"}
    )
    assert response.status_code == 400
    assert "webhook_url" in response.json()["error"]["message"]
    created = create(api, receiver)
    response = api.put(f"/v3/webhooks/{created['id']}", json={"status": "failed"})
    assert response.status_code == 400
    response = api.put(f"/v3/webhooks/{created['id']}", json={"trigger_types": ["nope.nope"]})
    assert response.status_code == 400 and "nope.nope" in response.text


def test_only_sdk_enum_triggers_are_returned(api: httpx.Client, receiver: Receiver) -> None:
    created = create(api, receiver, trigger_types=["booking.created", "notetaker.created"])
    assert created["trigger_types"] == ["booking.created"]


def test_rotate_secret_both_routes(api: httpx.Client, receiver: Receiver) -> None:
    created = create(api, receiver)
    first = created["webhook_secret"]
    put = api.put(f"/v3/webhooks/{created['id']}/rotate-secret", json={}).json()["data"]
    assert put["webhook_secret"] not in {first, ""}
    post = api.post(f"/v3/webhooks/rotate-secret/{created['id']}").json()["data"]
    assert post["webhook_secret"] not in {first, put["webhook_secret"]}
    assert set(post) >= PY_REQUIRED
    assert api.post("/v3/webhooks/rotate-secret/missing").status_code == 404


def test_reactivation_is_verified_again(api: httpx.Client, receiver: Receiver) -> None:
    created = create(api, receiver)
    api.put(f"/v3/webhooks/{created['id']}", json={"status": "pause"})
    receiver.echo_challenge = False
    response = api.put(f"/v3/webhooks/{created['id']}", json={"status": "active"})
    assert response.status_code == 400 and "webhook_url" in response.text
    receiver.echo_challenge = True
    response = api.put(f"/v3/webhooks/{created['id']}", json={"status": "active"})
    assert response.json()["data"]["status"] == "active"
    assert receiver.challenges == 3


def test_ip_addresses_and_auth(api: httpx.Client, server: LiveServer) -> None:
    data = api.get("/v3/webhooks/ip-addresses").json()["data"]
    assert isinstance(data["ip_addresses"], list) and isinstance(data["updated_at"], int)
    response = httpx.get(server.url + "/v3/webhooks", timeout=HTTP_TIMEOUT)
    assert response.status_code == 401

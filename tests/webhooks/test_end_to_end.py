"""Changes made through the API arrive as webhooks: grant.*, calendar.*, event.*."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.factories import connect, create_event
from tests.webhooks.receiver import Receiver


def test_api_changes_are_delivered_in_order(
    api: httpx.Client, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    triggers = [
        "grant.created",
        "calendar.created",
        "event.created",
        "event.updated",
        "event.deleted",
    ]
    response = api.post(
        "/v3/webhooks", json={"trigger_types": triggers, "webhook_url": receiver.url}
    )
    receiver.secret = response.json()["data"]["webhook_secret"]
    grant = connect(api, "owner@example.com")
    event = create_event(
        api,
        grant["id"],
        {"title": "Sync", "when": {"start_time": 1900000000, "end_time": 1900001800}},
    )
    updated = api.put(
        f"/v3/grants/{grant['id']}/events/{event['id']}",
        params={"calendar_id": event["calendar_id"]},
        json={"title": "Sync (moved)"},
    )
    assert updated.status_code == 200, updated.text
    deleted = api.delete(
        f"/v3/grants/{grant['id']}/events/{event['id']}",
        params={"calendar_id": event["calendar_id"]},
    )
    assert deleted.status_code == 200, deleted.text
    run_worker(lambda: sum(r.type.startswith("event.") for r in receiver.received) >= 3)
    types = [r.type for r in receiver.received]
    assert "grant.created" in types
    event_types = [r.type for r in receiver.received if r.object.get("id") == event["id"]]
    assert event_types == ["event.created", "event.updated", "event.deleted"]
    sources = {r.type: r.body["source"] for r in receiver.received}
    assert sources["grant.created"] == "/nylas/system"
    assert receiver.bad_signatures == 0

"""`slotwise serve` runs a worker in-process by default (Settings.run_worker)."""

from __future__ import annotations

import dataclasses

import httpx

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.notifications import record
from tests.conftest import API_KEY
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT
from tests.webhooks.receiver import Receiver


def test_server_delivers_with_its_own_worker(
    db: Database, base_settings: Settings, database_url: str, receiver: Receiver
) -> None:
    settings = dataclasses.replace(
        base_settings, database_url=database_url, run_worker=True, worker_poll_seconds=0.05
    )
    server = LiveServer(settings, db).start()
    try:
        response = httpx.post(
            server.url + "/v3/webhooks",
            json={"trigger_types": ["grant.created"], "webhook_url": receiver.url},
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=HTTP_TIMEOUT,
        )
        receiver.secret = response.json()["data"]["webhook_secret"]
        with db.session() as session:
            record(session, "grant.created", {"grant_id": "g1"}, source="/nylas/system")
        [got] = receiver.wait_for(1)
        assert got.type == "grant.created" and got.body["source"] == "/nylas/system"
    finally:
        server.stop()

"""The official SDKs' webhook calls, unchanged, against a live Slotwise."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from nylas import Client
from nylas.models.webhooks import WebhookTriggers

from tests.conftest import API_KEY
from tests.support.server import LiveServer
from tests.support.tools import npm_package, require_executable
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.sdk

NODE_SCRIPT = Path(__file__).resolve().parents[1] / "node" / "webhooks.mjs"


def test_python_sdk_webhook_calls(server: LiveServer, receiver: Receiver) -> None:
    nylas = Client(api_key=API_KEY, api_uri=server.url)
    created = nylas.webhooks.create(
        request_body={
            "trigger_types": [WebhookTriggers.BOOKING_CREATED, WebhookTriggers.EVENT_UPDATED],
            "webhook_url": receiver.url,
            "description": "from python",
            "notification_email_addresses": ["ops@example.com"],
        }
    ).data
    assert created.webhook_secret and created.status == "active"
    assert created.trigger_types == [WebhookTriggers.BOOKING_CREATED, WebhookTriggers.EVENT_UPDATED]

    listed = nylas.webhooks.list()
    assert [w.id for w in listed.data] == [created.id]
    found = nylas.webhooks.find(created.id).data
    assert found.description == "from python"

    updated = nylas.webhooks.update(created.id, request_body={"description": "renamed"}).data
    assert updated.description == "renamed"
    assert updated.notification_email_addresses == ["ops@example.com"]

    rotated = nylas.webhooks.rotate_secret(created.id).data
    assert rotated.webhook_secret and rotated.webhook_secret != created.webhook_secret

    ips = nylas.webhooks.ip_addresses().data
    assert isinstance(ips.ip_addresses, list) and isinstance(ips.updated_at, int)

    deleted = nylas.webhooks.destroy(created.id)
    assert deleted.data is not None and deleted.data.status == "success"
    assert nylas.webhooks.list().data == []


def test_node_sdk_webhook_calls(server: LiveServer, receiver: Receiver) -> None:
    node = require_executable("node")
    folder = npm_package("nylas@8.4.0", "node-sdk")
    result = subprocess.run(
        [node, str(NODE_SCRIPT), server.url, API_KEY, receiver.url],
        capture_output=True,
        text=True,
        timeout=120,
        env={"NODE_PATH": str(folder / "node_modules"), "PATH": "/usr/bin:/bin"},
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["created_status"] == "active"
    assert report["secret_rotated"] is True
    assert report["listed"] == 1
    assert report["deleted"] == "success"
    assert report["after_delete"] == 0

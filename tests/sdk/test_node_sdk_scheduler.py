"""The official Node SDK (nylas@8.4.0) through a whole scheduling flow, via tests/node/."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import API_KEY
from tests.support.scheduling import future_hour
from tests.support.server import LiveServer
from tests.support.tools import npm_package, require_executable

pytestmark = pytest.mark.sdk

SCRIPTS = Path(__file__).resolve().parents[1] / "node"


def test_node_sdk_scheduling_flow(server: LiveServer) -> None:
    node = require_executable("node")
    sdk = npm_package("nylas@8.4.0", "node-sdk")
    day = future_hour(2, 0)
    env = {
        **os.environ,
        "NYLAS_SDK_DIR": str(sdk),
        "SLOTWISE_URL": server.url,
        "SLOTWISE_API_KEY": API_KEY,
        "SLOT_DAY": str(day),
    }
    result = subprocess.run(
        [node, str(SCRIPTS / "sdk_scheduler.mjs")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["config"]["requiresSessionAuth"] is True
    assert out["config"]["fields"] == ["companyName"]  # snake-cased on the wire, camel again
    assert out["config"]["method"] == "collective"
    assert out["listed"] == [out["config"]["id"]]
    assert out["found"] == "Node intro"
    assert out["updated"] == "Node intro 2"
    assert out["session"] is True
    # Open 9:00-12:00 UTC, 30-minute slots.
    assert out["slots"] == 6
    assert out["order"] == []
    assert out["firstSlot"] == {
        "startTime": day + 9 * 3600,
        "endTime": day + 9 * 3600 + 1800,
        "emails": ["node@example.com"],
    }
    assert out["booking"]["status"] == "booked"
    assert out["booking"]["organizer"] == "node@example.com"
    assert out["booking"]["ref"]
    assert out["taken"]["status"] == 409
    assert out["taken"]["type"] == "timeslot_not_available"
    assert out["taken"]["message"].startswith("The selected timeslot is unavailable")
    assert out["rescheduled"] is True
    assert out["freedAndTaken"] == {"first": True, "second": False}
    assert out["foundBooking"] == "booked"
    assert out["cancelled"] == "cancelled"
    assert out["afterSessionDeleted"]["status"] == 401
    assert out["afterSessionDeleted"]["type"] == "invalid_session"
    assert out["afterSessionDeleted"]["requestId"]
    assert out["configsLeft"] == 0

"""The official Node SDK (nylas@8.4.0) against a live server, through tests/node/*.mjs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import API_KEY
from tests.support.server import LiveServer
from tests.support.tools import npm_package, require_executable

pytestmark = pytest.mark.sdk

SCRIPTS = Path(__file__).resolve().parents[1] / "node"
T0 = 1_767_261_600
HOUR = 3600


def run_node(script: str, server: LiveServer) -> dict:
    node = require_executable("node")
    sdk = npm_package("nylas@8.4.0", "node-sdk")
    env = {
        **os.environ,
        "NYLAS_SDK_DIR": str(sdk),
        "SLOTWISE_URL": server.url,
        "SLOTWISE_API_KEY": API_KEY,
    }
    result = subprocess.run(
        [node, str(SCRIPTS / script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_node_sdk_drives_grants_calendars_events_and_free_busy(server: LiveServer) -> None:
    out = run_node("sdk_calendar.mjs", server)
    assert out["grant"]["email"] == "node@example.com"
    assert out["grantList"] == ["node@example.com"]
    assert out["grantFound"] == "node@example.com"
    assert out["grantUpdated"] == ["calendar"]
    assert out["calendar"] == {
        "name": "Node",
        "timezone": "Europe/Paris",
        "grantId": out["grant"]["id"],
    }
    assert out["primary"] is True
    assert out["calendarUpdated"]["name"] == "Node 2"
    assert out["calendarUpdated"]["hexColor"] == "#abcdef"
    assert out["calendarsByMeta"] == ["Node 2"]
    assert out["single"]["when"]["object"] == "timespan"
    assert out["single"]["participants"] == [
        {"email": "p@example.com", "status": "noreply", "phoneNumber": "123"}
    ]
    assert [e["title"] for e in out["listed"]] == ["Review", "Weekly", "Weekly"]
    assert out["listed"][2]["master"] == out["seriesId"]
    assert out["byMeta"] == ["Review"]
    assert out["filtered"] == 2
    assert out["found"] == "Review"
    assert out["updated"] == "Review 2"
    assert out["freeBusy"][0]["object"] == "free_busy"
    assert [(s["startTime"], s["endTime"]) for s in out["freeBusy"][0]["timeSlots"]] == [
        (T0, T0 + HOUR),
        (T0 + 2 * HOUR, T0 + 3 * HOUR),
    ]
    assert out["freeBusy"][1]["object"] == "error"
    assert out["afterDelete"] == 2
    assert out["missing"]["status"] == 404
    assert out["missing"]["type"] == "not_found_error"
    assert out["missing"]["requestId"]
    assert out["grantsLeft"] == 0

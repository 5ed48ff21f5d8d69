"""The official v2 Scheduler clients, unchanged, against a live Slotwise.

- Python `nylas==5.14.1` (the v3 SDK's package name, so installed apart and run in its own
  process by sdk_v2_pages_driver.py): create, list, get, update, delete, calendars,
  upload-image, info, timeslots, book, reschedule, confirm, cancel.
- Node `nylas@6.8.0` (tests/node/scheduler_v2.mjs, Basic auth): create, list, get, book.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking
from tests.support.pages import account, page_body
from tests.support.server import LiveServer
from tests.support.tools import npm_package, pip_package, require_executable, run_json

pytestmark = pytest.mark.sdk

HERE = Path(__file__).resolve().parent
PY_DRIVER = HERE / "sdk_v2_pages_driver.py"
NODE_SCRIPT = HERE.parent / "node" / "scheduler_v2.mjs"


def test_python_v2_sdk_drives_a_page_through_its_life(
    server: LiveServer, api: httpx.Client, db: Database
) -> None:
    folder = pip_package("nylas==5.14.1", "nylas-v2")
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    page = page_body(ann, bob, slug="sdk-python")
    page["config"]["booking"]["confirmation_method"] = "manual"
    page["config"]["booking"]["scheduling_method"] = "round-robin-maximize-availability"
    page["config"]["booking"]["additional_fields"] = [
        {"name": "company", "label": "Company", "type": "text", "required": True}
    ]
    spec = {"url": server.url, "token": ann.token, "tokens": [ann.token, bob.token], "page": page}
    out = run_json(
        [sys.executable, str(PY_DRIVER)], env={"PYTHONPATH": str(folder)}, stdin=json.dumps(spec)
    )
    created = out["created"]
    assert isinstance(created["id"], int) and created["edit_token"]
    assert created["config"] == page["config"]
    assert out["all"] == [created["id"]]
    assert out["got"]["config"] == page["config"] and out["got"]["slug"] == "sdk-python"
    assert out["updated"]["name"] == "Renamed by the SDK"
    assert out["updated"]["config"] == page["config"]
    assert [a["email"] for a in out["calendars"]] == [ann.email, bob.email]
    assert out["upload"]["signedUrl"].startswith(server.url)
    assert out["info"]["name"] == "Renamed by the SDK" and out["info"]["edit_token"] is None
    slots = out["timeslots"]
    assert slots and {s["account_id"] for s in slots} <= {ann.grant_id, bob.grant_id}
    booked = out["booked"]
    assert booked["is_confirmed"] is False and booked["edit_hash"]
    assert booked["additional_field_values"] == {"company": "Acme"}
    assert booked["start_time"] == slots[0]["start"]
    assert out["rescheduled"]["id"] == booked["id"]
    assert out["rescheduled"]["start_time"] == slots[2]["start"]
    assert out["confirmed"]["is_confirmed"] is True
    assert out["cancelled"] == {"success": True}
    assert out["after_delete"] == 404
    with db.session(write=False) as session:
        assert session.scalars(select(Booking)).all() == []  # deleted with the page


def test_node_v6_sdk_creates_lists_gets_and_books(
    server: LiveServer, api: httpx.Client, db: Database
) -> None:
    node = require_executable("node")
    sdk = npm_package("nylas@6.8.0", "node-sdk-v6")
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    page = page_body(ann, bob, slug="sdk-node")
    spec = {"url": server.url, "token": ann.token, "tokens": [ann.token, bob.token], "page": page}
    out = run_json(
        [node, str(NODE_SCRIPT)],
        env={"NODE_PATH": str(sdk / "node_modules")},
        stdin=json.dumps(spec),
    )
    assert isinstance(out["created"]["id"], int) and out["created"]["editToken"]
    assert out["listed"] == [out["created"]["id"]]
    assert out["got"]["slug"] == "sdk-node"
    assert out["got"]["config"]["event"]["title"] == "Intro Meeting"
    assert out["booked"]["accountId"] == ann.grant_id
    assert out["booked"]["editHash"] and out["booked"]["isConfirmed"] is True
    with db.session(write=False) as session:
        booking = session.scalars(select(Booking)).one()
    assert booking.guest["email"] == "node-guest@example.com"
    assert booking.start_ts == out["slot"]["start"]

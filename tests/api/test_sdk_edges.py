"""Edge cases found by driving a live server the way SDK users do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.factories import connect

T0 = 1_780_000_000
HOUR = 3600


@pytest.fixture
def grant(api: httpx.Client) -> dict[str, Any]:
    return connect(api, "avery@example.com", timezone="America/New_York")


def test_select_keeps_the_fields_the_python_sdk_requires(
    api: httpx.Client, grant: dict[str, Any]
) -> None:
    # Single objects are decoded strictly by the Python SDK: a field it requires that is
    # missing raises KeyError, so `select` must not strip those from find/create/update.
    base = f"/v3/grants/{grant['id']}"
    select = {"select": "id,title"}
    calendar = api.get(f"{base}/calendars/primary", params=select).json()["data"]
    assert {"id", "grant_id", "name", "read_only", "is_owned_by_user"} <= set(calendar)
    assert "description" not in calendar
    created = api.post(
        f"{base}/events",
        params={"calendar_id": "primary", **select},
        json={"title": "t", "when": {"start_time": T0, "end_time": T0 + HOUR}},
    ).json()["data"]
    found = api.get(
        f"{base}/events/{created['id']}", params={"calendar_id": "primary", **select}
    ).json()["data"]
    for event in (created, found):
        assert {"id", "grant_id", "calendar_id", "busy", "participants", "when"} <= set(event)
        assert event["title"] == "t" and "description" not in event
    # Lists are decoded leniently: there `select` still trims to what was asked.
    listed = api.get(f"{base}/calendars", params={"select": "id,name"}).json()["data"][0]
    assert set(listed) <= {"id", "name", "object"}

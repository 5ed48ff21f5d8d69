"""Edge cases found by driving a live server the way SDK users do."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from slotwise.validation import MAX_EPOCH
from tests.support.factories import connect, create_event

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


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=DAILY;INTERVAL=0",
        "RRULE:FREQ=WEEKLY;INTERVAL=-2",
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "RRULE:FREQ=YEARLY;BYYEARDAY=-400",
    ],
)
def test_recurrence_that_never_advances_is_a_quick_400(
    api: httpx.Client, grant: dict[str, Any], rule: str
) -> None:
    # A rule that never advances must be refused by its shape, not by an expansion that runs
    # into a bound: the message names the rule, and a spinning server would instead hit the
    # client's timeout (a hang guard, not a stopwatch).
    response = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": "primary"},
        json={"when": {"start_time": T0, "end_time": T0 + HOUR}, "recurrence": [rule]},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("recurrence[0]")


def test_sparse_rules_are_still_accepted(api: httpx.Client, grant: dict[str, Any]) -> None:
    leap_day = create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "recurrence": ["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;COUNT=2"],
        },
    )
    assert leap_day["recurrence"]


def test_listing_up_to_the_last_instant_with_a_series(
    api: httpx.Client, grant: dict[str, Any]
) -> None:
    create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "recurrence": ["RRULE:FREQ=YEARLY"],
        },
    )
    response = api.get(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": "primary", "start": MAX_EPOCH - 86_400 * 400, "end": MAX_EPOCH},
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 1
    busy = api.post(
        f"/v3/grants/{grant['id']}/calendars/free-busy",
        json={
            "start_time": MAX_EPOCH - 86_400 * 400,
            "end_time": MAX_EPOCH,
            "emails": [grant["email"]],
        },
    )
    assert busy.status_code == 200, busy.text


def test_metadata_pair_values_with_commas(api: httpx.Client, grant: dict[str, Any]) -> None:
    base = f"/v3/grants/{grant['id']}/calendars"
    api.post(base, json={"name": "a", "metadata": {"owner": "Smith, Jo", "team": "x,y:z"}})
    api.post(base, json={"name": "b", "metadata": {"owner": "Smith"}})

    def names(*pairs: str) -> list[str]:
        params = httpx.QueryParams([("metadata_pair", p) for p in pairs])
        return [c["name"] for c in api.get(base, params=params).json()["data"]]

    # Several parameters are one pair each (the Python SDK): a comma belongs to the value.
    # In a single parameter, a comma piece without a colon still continues the value.
    assert names("owner:Smith, Jo") == ["a"]
    assert names("owner:Smith, Jo", "team:x,y:z") == ["a"]
    # One parameter joining pairs with commas (the Node SDK).
    assert names("owner:Smith,team:x") == []
    assert names("owner:Smith") == ["b"]


def test_deleting_a_former_series_cancels_its_changed_instances(
    api: httpx.Client, grant: dict[str, Any]
) -> None:
    url = f"/v3/grants/{grant['id']}/events"
    q = {"calendar_id": "primary"}
    window: dict[str, Any] = {**q, "start": T0 - 86_400, "end": T0 + 10 * 86_400}
    master = create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
        },
    )
    second = api.get(url, params=window).json()["data"][1]
    assert api.put(f"{url}/{second['id']}", params=q, json={"title": "moved"}).status_code == 200
    # The series becomes a single event, then goes: nothing of it may be left behind.
    assert api.put(f"{url}/{master['id']}", params=q, json={"recurrence": []}).status_code == 200
    assert api.delete(f"{url}/{master['id']}", params=q).status_code == 200
    assert api.get(url, params=window).json()["data"] == []

"""Guest-supplied booking fields that are stored and used later must be checked on the way in."""

from __future__ import annotations

import httpx
import pytest

from slotwise.db.engine import Database
from tests.support.scheduling import (
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)


@pytest.fixture
def config(api: httpx.Client, db: Database) -> dict:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
    return create_config(api, grant_id, body)


@pytest.mark.parametrize("zone", ["Not/AZone", "Europe/" + "x" * 80, "../etc/passwd", " "])
def test_unknown_guest_timezone_is_refused_by_name(
    api: httpx.Client, config: dict, zone: str
) -> None:
    start = future_hour(2, 10)
    in_body = book(api, config["id"], start, timezone=zone)
    assert in_body.status_code == 400, in_body.text
    assert in_body.json()["error"]["message"].startswith("timezone")
    in_query = api.post(
        "/v3/scheduling/bookings",
        params={"configuration_id": config["id"], "timezone": zone},
        json={
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"email": "g@example.com", "name": "G"},
        },
    )
    assert in_query.status_code == 400, in_query.text
    assert in_query.json()["error"]["message"].startswith("timezone")


def test_browser_zone_names_are_accepted(api: httpx.Client, config: dict) -> None:
    # Chromium reports Nepal as Asia/Katmandu (the older name); both are in the zone database.
    for i, zone in enumerate(["Asia/Katmandu", "Asia/Kathmandu", "UTC", "America/Los_Angeles"]):
        response = book(api, config["id"], future_hour(2, 10 + i), timezone=zone)
        assert response.status_code == 200, response.text


def test_configuration_text_that_bookings_store_is_bounded(api: httpx.Client, db: Database) -> None:
    """A configuration accepted on one backend must stay bookable on every backend."""
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    long_name = participant("ada@example.com", calendar_id, organizer=True, name="N" * 400)
    response = api.post(
        f"/v3/grants/{grant_id}/scheduling/configurations", json=config_body([long_name])
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("participants[0].name")
    body = config_body([participant("ada@example.com", calendar_id)])
    body["participants"][0]["is_organizer"] = True
    body["availability"]["availability_rules"] = {"round_robin_group_id": "g" * 600}
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 400, response.text
    assert "round_robin_group_id" in response.json()["error"]["message"]
    fine = participant("ada@example.com", calendar_id, organizer=True, name="N" * 320)
    config = create_config(api, grant_id, config_body([fine]))
    assert book(api, config["id"], future_hour(2, 10)).status_code == 200

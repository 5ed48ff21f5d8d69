"""Free/busy: v3 (one item per email, error items for unknown emails) and v2 (a bare list)."""

from __future__ import annotations

import httpx

from tests.support.factories import connect, create_event

T0 = 1_767_261_600
HOUR = 3600


def test_v3_free_busy(api: httpx.Client) -> None:
    avery = connect(api, "avery@example.com")
    side = api.post(f"/v3/grants/{avery['id']}/calendars", json={"name": "side"}).json()["data"]
    create_event(api, avery["id"], {"when": {"start_time": T0, "end_time": T0 + HOUR}})
    create_event(
        api,
        avery["id"],
        {"when": {"start_time": T0 + HOUR // 2, "end_time": T0 + 2 * HOUR}},
        calendar_id=side["id"],
    )
    create_event(
        api,
        avery["id"],
        {"when": {"start_time": T0 + 3 * HOUR, "end_time": T0 + 4 * HOUR}, "busy": False},
    )
    connect(api, "blake@example.com")
    response = api.post(
        f"/v3/grants/{avery['id']}/calendars/free-busy",
        json={
            "start_time": T0 - HOUR,
            "end_time": T0 + 5 * HOUR,
            "emails": ["avery@example.com", "blake@example.com", "nobody@example.com"],
        },
    )
    assert response.status_code == 200
    items = response.json()["data"]
    assert items[0] == {
        "object": "free_busy",
        "email": "avery@example.com",
        "time_slots": [
            {"object": "time_slot", "status": "busy", "start_time": T0, "end_time": T0 + 2 * HOUR}
        ],
    }
    assert items[1]["time_slots"] == []
    assert items[2]["object"] == "error" and items[2]["email"] == "nobody@example.com"
    assert isinstance(items[2]["error"], str)


def test_v3_free_busy_point_in_time_event_is_not_busy(api: httpx.Client) -> None:
    """A `time` event has no length, so it blocks no time (as in availability)."""
    avery = connect(api, "avery@example.com")
    create_event(api, avery["id"], {"when": {"time": T0 + HOUR}})
    response = api.post(
        f"/v3/grants/{avery['id']}/calendars/free-busy",
        json={"start_time": T0, "end_time": T0 + 2 * HOUR, "emails": ["avery@example.com"]},
    )
    assert response.status_code == 200
    assert response.json()["data"][0]["time_slots"] == []


def test_v3_free_busy_bad_input(api: httpx.Client) -> None:
    avery = connect(api, "avery@example.com")
    url = f"/v3/grants/{avery['id']}/calendars/free-busy"
    cases = [
        ({"start_time": T0, "end_time": T0 - 1, "emails": ["a@b.c"]}, "end_time"),
        ({"start_time": T0, "end_time": T0 + 800 * 86_400, "emails": ["a@b.c"]}, "end_time"),
        ({"start_time": T0, "end_time": T0 + 1}, "emails"),
        ({"start_time": "x", "end_time": T0 + 1, "emails": ["a@b.c"]}, "start_time"),
        ({"start_time": True, "end_time": T0 + 1, "emails": ["a@b.c"]}, "start_time"),
    ]
    for body, field in cases:
        response = api.post(url, json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["message"].startswith(field), body
    assert api.post("/v3/grants/nobody/calendars/free-busy", json=cases[0][0]).status_code == 404


def test_v2_free_busy_is_a_bare_list(api: httpx.Client) -> None:
    avery = connect(api, "avery@example.com")
    create_event(api, avery["id"], {"when": {"start_time": T0, "end_time": T0 + HOUR}})
    side = api.post(f"/v3/grants/{avery['id']}/calendars", json={"name": "side"}).json()["data"]
    create_event(
        api,
        avery["id"],
        {"when": {"start_time": T0 + 2 * HOUR, "end_time": T0 + 3 * HOUR}},
        calendar_id=side["id"],
    )
    for start in (str(T0 - HOUR), T0 - HOUR):
        response = api.post(
            "/calendars/free-busy",
            json={
                "start_time": start,
                "end_time": str(T0 + 5 * HOUR),
                "emails": ["avery@example.com"],
            },
        )
        assert response.status_code == 200
        assert response.json() == [
            {
                "object": "free_busy",
                "email": "avery@example.com",
                "time_slots": [
                    {
                        "object": "time_slot",
                        "status": "busy",
                        "start_time": T0,
                        "end_time": T0 + HOUR,
                    }
                ],
            }
        ]
    by_calendar = api.post(
        "/calendars/free-busy",
        json={
            "start_time": T0 - HOUR,
            "end_time": T0 + 5 * HOUR,
            "emails": [],
            "calendars": [{"account_id": avery["id"], "calendar_ids": [side["id"]]}],
        },
    ).json()
    assert by_calendar[0]["calendar_id"] == side["id"]
    assert [s["start_time"] for s in by_calendar[0]["time_slots"]] == [T0 + 2 * HOUR]
    unknown = api.post(
        "/calendars/free-busy",
        json={"start_time": T0, "end_time": T0 + 1, "emails": ["nobody@example.com"]},
    )
    assert unknown.status_code == 404
    bad = api.post(
        "/calendars/free-busy",
        json={"start_time": "soon", "end_time": T0, "emails": ["avery@example.com"]},
    )
    assert bad.status_code == 400

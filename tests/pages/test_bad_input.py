"""Hostile input on the v2 faces: every odd request gets a 4xx naming what is wrong, never a
500, and nothing is half-written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.pages import account, bearer, booking_request, create_page, page_body


def _page_cases(token: str) -> list[tuple[Any, str]]:
    good = page_body()
    good["access_tokens"] = [token]

    def with_config(**changes: Any) -> dict[str, Any]:
        body = {**good, "config": {**good["config"], **changes}}
        return body

    return [
        ([], "body"),
        ({**good, "config": []}, "config"),
        ({**good, "name": 5}, "name"),
        ({**good, "slug": "no spaces"}, "slug"),
        ({**good, "slug": "x" * 300}, "slug"),
        ({**good, "access_tokens": "one"}, "access_tokens"),
        ({**good, "access_tokens": []}, "access_tokens"),
        ({**good, "access_tokens": [token, token]}, "access_tokens[1]"),
        (with_config(calendar_ids={"not-an-account": {}}), "config.calendar_ids.not-an-account"),
        (with_config(calendar_ids={"x": []}), "config.calendar_ids.x"),
        (with_config(event={"duration": True}), "config.event.duration"),
        (with_config(event={"duration": 1e308}), "config.event.duration"),
        (with_config(event={"capacity": 0}), "config.event.capacity"),
        (with_config(booking={"opening_hours": {"days": "M"}}), "config.booking.opening_hours"),
        (with_config(booking={"opening_hours": [{"days": [{}]}]}), "opening_hours[0].days[0]"),
        (
            with_config(booking={"opening_hours": [{"days": ["M"], "start": "9:00", "end": "8"}]}),
            "opening_hours[0].end",
        ),
        (
            with_config(
                booking={
                    "opening_hours": [
                        {
                            "days": ["M"],
                            "start": "9:00",
                            "end": "10:00",
                            "account_id": "someone-else",
                        }
                    ]
                }  # fmt: skip
            ),
            "opening_hours[0].account_id",
        ),
        (with_config(booking={"interval_minutes": 7}), "config.booking.interval_minutes"),
        (with_config(booking={"available_days_in_future": 0}), "available_days_in_future"),
        (
            with_config(booking={"additional_fields": [{"name": "a", "label": "A", "type": "x"}]}),
            "additional_fields[0].type",
        ),
        (
            with_config(
                booking={
                    "additional_fields": [
                        {"name": "a", "label": "A", "type": "text", "pattern": "("}
                    ]
                }  # fmt: skip
            ),
            "additional_fields[0].pattern",
        ),
        (with_config(expire_after={"date": "tomorrow"}), "config.expire_after.date"),
        (with_config(reminders=[{"delivery_method": "email"}]), "reminders[0].time_before_event"),
        (with_config(appearance={"color": ["red"]}), "config.appearance.color"),
    ]


def test_bad_pages_are_refused_by_field(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    for body, field in _page_cases(ann.token):
        response = anon.post("/manage/pages", json=body, headers=bearer(ann.token))
        assert 400 <= response.status_code < 500, (field, response.text)
        assert field in response.json()["message"], (field, response.json()["message"])
    assert api.get("/manage/pages").json() == []
    page = create_page(anon, page_body(ann), ann.token)
    for body, field in _page_cases(ann.token)[1:]:
        response = anon.put(f"/manage/pages/{page['id']}", json=body, headers=bearer(ann.token))
        if field.startswith("access_tokens"):
            assert response.status_code == 200  # ignored on PUT
            continue
        assert 400 <= response.status_code < 500, (field, response.text)
    assert api.get(f"/manage/pages/{page['id']}").json()["config"] == page["config"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/manage/pages/abc", 400),
        ("/manage/pages/99999999999", 400),
        ("/manage/pages/0", 400),
        ("/manage/pages/12345", 404),
    ],
)
def test_odd_page_ids(api: httpx.Client, path: str, status: int) -> None:
    assert api.get(path).status_code == status


def test_odd_headers_and_bookings(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="odd"), ann.token)
    for header in ("Basic !!!", "Basic " + "a" * 5000, "Bearer " + "x" * 5000, "Token abc", ""):
        assert anon.get("/manage/pages", headers={"Authorization": header}).status_code == 401
    slot = anon.get("/schedule/odd/timeslots").json()[0]
    cases: list[dict[str, Any]] = [
        {"slot": {**slot, "start": 10**15 + 1}},
        {"slot": {**slot, "start": -1}},
        {"slot": {**slot, "end": slot["start"]}},
        {"slot": "tomorrow"},
        {"additional_emails": "a@b.example"},
        {"additional_emails": ["x@y.example"] * 50},
        {"locale": "x" * 100},
        {"name": "n" * 5000},
        {"replaces_booking_hash": "h" * 500},
        {"replaces_booking_hash": 5},
    ]
    for change in cases:
        body = {**booking_request(slot), **change}
        response = anon.post("/schedule/odd/timeslots", json=body)
        assert 400 <= response.status_code < 500, (change, response.text)
    assert anon.post("/schedule/odd/timeslots", content=b"{").status_code == 400
    assert anon.post("/schedule/odd/" + "h" * 300 + "/cancel", json={}).status_code == 400
    assert anon.post("/schedule/odd/abc/cancel", json={"reason": 5}).status_code in {400, 404}
    assert api.get("/v3/grants/" + ann.grant_id + "/access-tokens/x").status_code in {404, 405}
    assert api.delete(f"/v3/grants/{ann.grant_id}/access-tokens/nope").status_code == 404
    assert api.post("/v3/grants/nobody/access-tokens").status_code == 404

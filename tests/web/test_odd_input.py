"""The booking form and the booking API with odd input: what a guest reads, never a 500."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.scheduling import future_hour
from tests.web.test_pages import FIELDS, _form, _html


def test_a_very_long_guest_name_is_named_as_the_guest_name(
    api: httpx.Client, web: httpx.Client, make_page: Any
) -> None:
    config = make_page(slug="long-names", scheduler={"additional_fields": FIELDS})
    start = future_hour(days=2, hour=10)
    page = _html(web.post("/book/long-names", data=_form(start, guest_name="é" * 1100)), status=400)
    assert "Your name:" in page and "participants" not in page
    for guest, extra, field in [
        ({"email": "g@example.com", "name": "x" * 1100}, [], "guest.name"),
        (
            {"email": "g@example.com", "name": "G"},
            [{"email": "h@example.com", "name": "x" * 1100}],
            "additional_guests[0].name",
        ),
        (
            {"email": "g@example.com", "name": "G"},
            [{"email": "h@example.com", "name": {"first": "H"}}],
            "additional_guests[0].name",
        ),
    ]:
        response = api.post(
            "/v3/scheduling/bookings",
            params={"configuration_id": config["id"]},
            json={
                "start_time": start,
                "end_time": start + 1800,
                "guest": guest,
                "additional_guests": extra,
                "additional_fields": {"company": "Navy"},
            },
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["message"].startswith(field + ":"), response.text

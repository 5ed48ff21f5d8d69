"""Secrets from headers, paths and bodies are compared as bytes: odd text is a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.scheduling import book, future_hour

TOKENS = [
    b"Bearer " + "é".encode("latin-1") * 12,  # latin-1 on the wire
    b"Bearer " + "秘密のキー".encode(),  # UTF-8 bytes, read as latin-1
    b"Bearer \xff\xfe\xfd",
]


@pytest.mark.parametrize("header", TOKENS)
def test_non_ascii_bearer_tokens_are_401(
    guest: httpx.Client, make_config: Callable[..., Any], header: bytes
) -> None:
    config = make_config()
    auth = {b"Authorization": header}
    admin = guest.get("/v3/grants", headers=auth)
    assert admin.status_code == 401, admin.text
    assert admin.json()["error"]["type"]
    scheduling = guest.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config["id"], "start_time": 0, "end_time": 3600},
        headers=auth,
    )
    assert scheduling.status_code == 401, scheduling.text
    booking = guest.post(
        "/v3/scheduling/bookings",
        params={"configuration_id": config["id"]},
        json={"start_time": 0, "end_time": 1},
        headers=auth,
    )
    assert booking.status_code == 401, booking.text


@pytest.mark.parametrize("ref", ["é" * 50, "😀" * 20, "%00" * 48, "A" * 43 + "é", "\u202e" * 44])
def test_non_ascii_booking_refs_are_404(
    guest: httpx.Client, api: httpx.Client, make_config: Callable[..., Any], ref: str
) -> None:
    config = make_config()
    assert book(api, config["id"], future_hour(2, 10)).status_code == 200
    quoted = quote(ref, safe="")
    for path in (f"/bookings/{quoted}", f"/scheduling/organizer-confirmation/{quoted}"):
        assert guest.get(path).status_code == 404
    for path in (
        f"/bookings/{quoted}/cancel",
        f"/bookings/{quoted}/reschedule",
        f"/scheduling/organizer-confirmation/{quoted}",
    ):
        posted = guest.post(path, data={"action": "confirm", "start": "1"})
        assert posted.status_code == 404, posted.text[:300]

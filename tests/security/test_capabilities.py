"""A booking's guest and its organizer hold different secrets: the guest's booking_ref views,
reschedules and cancels; only the organizer's (in host_confirmation_url) confirms."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from slotwise.db.engine import Database
from slotwise.db.models import Booking
from slotwise.ids import decode_booking_ref
from tests.security.conftest import outbox
from tests.support.scheduling import HOUR, book, future_hour

PENDING = {"booking_type": "organizer-confirmation"}
ORGANIZER_PAGE = "/scheduling/organizer-confirmation/"


def _pending(guest: httpx.Client, db: Database, config: dict, start: int) -> tuple[dict, str]:
    """Book anonymously; (the guest's response data, the organizer's ref)."""
    response = book(guest, config["id"], start)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "pending"
    [message] = outbox(db, "booking.pending")
    url = message.payload["booking_info"]["host_confirmation_url"]
    assert ORGANIZER_PAGE in url
    return data, url.rsplit("/", 1)[1]


def _salt(ref: str) -> str:
    parts = decode_booking_ref(ref)
    assert parts is not None
    return parts.salt


def _status(db: Database, booking_id: str) -> str:
    with db.session(write=False) as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        return booking.status


def test_the_guests_ref_never_confirms(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    config = make_config(event_booking=PENDING)
    data, organizer_ref = _pending(guest, db, config, future_hour(2, 10))
    guest_ref = data["booking_ref"]
    assert guest_ref != organizer_ref
    assert _salt(guest_ref) != _salt(organizer_ref)
    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    params = {"configuration_id": config["id"]}
    for status in ("confirmed", "confirm", "cancelled"):
        refused = guest.put(url, params=params, json={"salt": _salt(guest_ref), "status": status})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["message"].startswith("salt")
    # The hosted organizer page does not open with the guest's ref, nor confirm with it.
    assert guest.get(f"{ORGANIZER_PAGE}{guest_ref}").status_code == 404
    assert guest.post(f"{ORGANIZER_PAGE}{guest_ref}", data={"action": "confirm"}).status_code == 404
    # And the organizer's ref is no manage link.
    assert guest.get(f"/bookings/{organizer_ref}").status_code == 404
    assert _status(db, data["booking_id"]) == "pending"
    confirmed = guest.put(
        url, params=params, json={"salt": _salt(organizer_ref), "status": "confirmed"}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert _status(db, data["booking_id"]) == "booked"


def test_a_guest_moves_or_withdraws_a_pending_booking_but_it_stays_pending(
    guest: httpx.Client, api: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    config = make_config(event_booking=PENDING)
    start = future_hour(2, 10)
    data, organizer_ref = _pending(guest, db, config, start)
    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    params = {"configuration_id": config["id"]}
    moved = {"start_time": start + HOUR, "end_time": start + HOUR + 1800}
    by_guest = guest.patch(url, params=params, json=moved)
    assert by_guest.status_code == 200, by_guest.text
    assert by_guest.json()["data"]["status"] == "pending"
    page = guest.post(
        f"/bookings/{data['booking_ref']}/reschedule", data={"start": start + 2 * HOUR}
    )
    assert page.status_code == 303, page.text
    assert _status(db, data["booking_id"]) == "pending"
    # The "rescheduled" notifications carry the guest's ref, never the organizer's, and the
    # guest's ref still does not confirm.
    for rescheduled in outbox(db, "booking.rescheduled"):
        assert organizer_ref not in str(rescheduled.payload)
        assert rescheduled.payload["booking_ref"] == data["booking_ref"]
    assert guest.get(f"{ORGANIZER_PAGE}{data['booking_ref']}").status_code == 404
    assert guest.get(f"{ORGANIZER_PAGE}{organizer_ref}").status_code == 200
    # The guest withdraws the request with their own ref.
    cancelled = guest.post(f"/bookings/{data['booking_ref']}/cancel", data={"reason": "No"})
    assert cancelled.status_code == 303, cancelled.text
    assert _status(db, data["booking_id"]) == "cancelled"


def test_guest_facing_payloads_and_pages_carry_only_the_guests_ref(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    make_config(slug="ask", event_booking=PENDING)
    page = guest.post(
        "/book/ask",
        data={
            "start": str(future_hour(2, 10)),
            "tz": "UTC",
            "guest_name": "Grace",
            "guest_email": "grace@example.com",
        },
    )
    assert page.status_code == 200, page.text
    [message] = outbox(db, "booking.pending")
    info = message.payload["booking_info"]
    organizer_ref = info["host_confirmation_url"].rsplit("/", 1)[1]
    guest_ref = message.payload["booking_ref"]
    assert organizer_ref not in page.text
    assert f"/bookings/{guest_ref}" in page.text
    for key in ("participant_rescheduling_url", "participant_cancellation_url"):
        assert info[key].endswith(guest_ref)


def test_an_api_key_may_confirm_with_the_ref_it_was_given(
    api: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    config = make_config(event_booking=PENDING)
    created = book(api, config["id"], future_hour(2, 10)).json()["data"]
    url = f"/v3/scheduling/bookings/{created['booking_id']}"
    body = {"salt": _salt(created["booking_ref"]), "status": "confirmed"}
    confirmed = api.put(url, params={"configuration_id": config["id"]}, json=body)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["status"] == "booked"


@pytest.mark.parametrize("salt", ["é" * 22, "\ud800", "秘密", "A" * 100_000])
def test_odd_salts_are_a_400(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any], salt: str
) -> None:
    config = make_config(event_booking=PENDING)
    data, _ = _pending(guest, db, config, future_hour(2, 10))
    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    body = '{"salt": ' + _json_string(salt) + ', "status": "confirmed"}'
    response = guest.put(
        url,
        params={"configuration_id": config["id"]},
        content=body.encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("salt")
    assert _status(db, data["booking_id"]) == "pending"


def _json_string(text: str) -> str:
    # json.dumps escapes a lone surrogate as \ud800, which is what a hostile client sends.
    return json.dumps(text)

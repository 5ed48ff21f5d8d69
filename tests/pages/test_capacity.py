"""`config.event.capacity`: a slot seats up to that many guests (group bookings), on both
databases; the next guest is refused, racing guests get exactly the free seats, a cancelled
seat is free again, and a v3 configuration keeps one booking per slot.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking
from tests.pages.test_flow import book, slots
from tests.support.pages import account, booking_request, create_page, page_body
from tests.support.server import http_client


def group_page(anon: httpx.Client, slug: str, capacity: int, *tokens: Any, **booking: Any) -> None:
    body = page_body(*tokens, slug=slug)
    body["config"]["event"]["capacity"] = capacity
    body["config"]["booking"]["interval_minutes"] = 15
    body["config"]["booking"].update(booking)
    create_page(anon, body, tokens[0].token)


def starts(found: list[dict[str, Any]]) -> set[int]:
    return {s["start"] for s in found}


def test_a_slot_seats_capacity_guests_and_a_cancelled_seat_is_free_again(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann = account(api, "ann@example.com")
    group_page(anon, "group", 3, ann)
    slot = slots(anon, "group")[1]
    overlapping = slot["start"] + 15 * 60
    assert overlapping in starts(slots(anon, "group"))
    made = []
    for i in range(3):
        response = anon.post("/schedule/group/timeslots", json=booking_request(slot, f"g{i}@x.org"))
        assert response.status_code == 200, response.text
        assert response.json()["account_id"] == ann.grant_id
        made.append(response.json())
        found = starts(slots(anon, "group"))
        # Seats remain until the third; a slot overlapping the meeting is taken at once.
        assert (slot["start"] in found) is (i < 2)
        assert overlapping not in found
    full = book(anon, "group", slot)
    assert full.status_code == 409, full.text
    assert len({m["calendar_event_id"] for m in made}) == 3  # one event per seat

    cancelled = anon.post(f"/schedule/group/{made[0]['edit_hash']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    assert slot["start"] in starts(slots(anon, "group"))
    again = anon.post("/schedule/group/timeslots", json=booking_request(slot, "late@x.org"))
    assert again.status_code == 200, again.text
    assert book(anon, "group", slot).status_code == 409


def test_round_robin_seats_join_the_meeting_of_the_first_guest(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    group_page(anon, "rr-group", 2, ann, bob, scheduling_method="round-robin-maximize-availability")
    slot = slots(anon, "rr-group")[0]
    first = book(anon, "rr-group", slot)
    assert first.status_code == 200, first.text
    host = first.json()["account_id"]
    # bob is next in line now, but the slot's remaining seat is in ann's meeting.
    listed = next(s for s in slots(anon, "rr-group") if s["start"] == slot["start"])
    assert listed["account_id"] == host
    second = anon.post("/schedule/rr-group/timeslots", json=booking_request(slot, "two@x.org"))
    assert second.status_code == 200, second.text
    assert second.json()["account_id"] == host
    assert book(anon, "rr-group", slot).status_code == 409
    assert slot["start"] not in starts(slots(anon, "rr-group"))


def test_strict_rotation_keeps_offering_seats_in_a_booked_meeting(
    api: httpx.Client, anon: httpx.Client
) -> None:
    """Maximize fairness offers the next host's empty slots only, but a seat left in another
    host's meeting stays offered: that host is already committed to it."""
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    group_page(anon, "fair-group", 2, ann, bob, scheduling_method="round-robin-maximize-fairness")
    before = slots(anon, "fair-group")
    assert {s["account_id"] for s in before} == {ann.grant_id}  # never booked: ann first
    slot = before[0]
    first = book(anon, "fair-group", slot)
    assert first.status_code == 200, first.text
    assert first.json()["account_id"] == ann.grant_id

    after = slots(anon, "fair-group")
    listed = [s for s in after if s["start"] == slot["start"]]
    assert [s["account_id"] for s in listed] == [ann.grant_id]  # the seat in ann's meeting
    others = [s for s in after if s["start"] != slot["start"]]
    assert others and {s["account_id"] for s in others} == {bob.grant_id}  # bob is next
    second = anon.post("/schedule/fair-group/timeslots", json=booking_request(slot, "two@x.org"))
    assert second.status_code == 200, second.text
    assert second.json()["account_id"] == ann.grant_id
    assert book(anon, "fair-group", slot).status_code == 409
    assert slot["start"] not in starts(slots(anon, "fair-group"))


def test_racing_guests_get_exactly_the_free_seats(
    api: httpx.Client, anon: httpx.Client, db: Database, server: Any
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    group_page(
        anon, "race-group", 3, ann, bob, scheduling_method="round-robin-maximize-availability"
    )
    slot = slots(anon, "race-group")[0]
    barrier = threading.Barrier(8)
    results: list[int] = []

    def guest(i: int) -> None:
        with http_client(base_url=server.url, timeout=60) as client:
            barrier.wait()
            request = booking_request(slot, f"racer{i}@x.org")
            results.append(client.post("/schedule/race-group/timeslots", json=request).status_code)

    threads = [threading.Thread(target=guest, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] * 3 + [409] * 5
    with db.session(write=False) as session:
        seated = list(session.scalars(select(Booking).where(Booking.start_ts == slot["start"])))
    assert len(seated) == 3 and len({b.organizer_email for b in seated}) == 1


def test_unlimited_capacity_and_bad_capacity(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    group_page(anon, "open-group", -1, ann)
    slot = slots(anon, "open-group")[0]
    for i in range(5):
        response = anon.post(
            "/schedule/open-group/timeslots", json=booking_request(slot, f"u{i}@x.org")
        )
        assert response.status_code == 200, response.text
    assert slot["start"] in starts(slots(anon, "open-group"))
    body = page_body(ann, slug="bad-group")
    for bad in (0, -2, "3", True, 1.5):
        body["config"]["event"]["capacity"] = bad
        response = anon.post(
            "/manage/pages", json=body, headers={"Authorization": f"Bearer {ann.token}"}
        )
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["message"].startswith("config.event.capacity"), response.text
    v3 = api.post(
        f"/v3/grants/{ann.grant_id}/scheduling/configurations",
        json={
            "participants": [
                {
                    "email": ann.email,
                    "is_organizer": True,
                    "availability": {},
                    "booking": {"calendar_id": "primary"},
                }
            ],
            "availability": {"duration_minutes": 30},
            "event_booking": {"title": "x"},
            "scheduler": {"capacity": "lots"},
        },
    )
    assert v3.status_code == 400 and "scheduler.capacity" in v3.text, v3.text

"""Group configurations and their group events, through the HTTP API on both databases:
the configuration's shape, the events' life (recurring ones included), the offer with the
seats left, booking seats, cancelling, and the waitlist."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, OutboxMessage, WaitlistEntry
from tests.support.scheduling import DAY, HOUR, future_hour, make_grant

ORGANIZER = "ada@example.com"


def group_config(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "group",
        "name": "Morning yoga",
        "group_booking": {"calendar_id": "primary", "booking_type": "booking"},
        "scheduler": {"min_booking_notice": 0, "available_days_in_future": 30},
    }
    body.update(overrides)
    return body


def configurations(grant_id: str) -> str:
    return f"/v3/grants/{grant_id}/scheduling/configurations"


def make_group(api: httpx.Client, db: Database, **overrides: Any) -> tuple[str, str, str]:
    """(grant id, calendar id, configuration id) of a new group configuration."""
    grant_id, calendar_id = make_grant(db, ORGANIZER, "Ada")
    response = api.post(configurations(grant_id), json=group_config(**overrides))
    assert response.status_code == 200, response.text
    return grant_id, calendar_id, response.json()["data"]["id"]


def group_events(grant_id: str, config_id: str) -> str:
    return f"{configurations(grant_id)}/{config_id}/group-events"


def event_body(start: int, minutes: int = 60, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Yoga",
        "when": {
            "start_time": start,
            "end_time": start + minutes * 60,
            "start_timezone": "",
            "end_timezone": "",
        },
        "participants": [{"email": ORGANIZER, "name": "Ada", "is_organizer": True}],
        "organizer": {"email": ORGANIZER, "name": "Ada"},
        "capacity": 3,
        "recurrence": [],
    }
    body.update(extra)
    return body


def create_event(api: httpx.Client, grant_id: str, config_id: str, body: dict[str, Any]) -> dict:
    response = api.post(group_events(grant_id, config_id), json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def offer(client: httpx.Client, config_id: str, start: int, end: int) -> list[dict[str, Any]]:
    response = client.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": end},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["time_slots"])


def book_seat(
    client: httpx.Client, config_id: str, slot: dict[str, Any], guest: str, **extra: Any
) -> httpx.Response:
    body = {
        "start_time": slot["start_time"],
        "end_time": slot["end_time"],
        "event_id": slot["event_id"],
        "guest": {"email": guest, "name": guest.split("@")[0].title()},
        **extra,
    }
    return client.post("/v3/scheduling/bookings", params={"configuration_id": config_id}, json=body)


def cancel(client: httpx.Client, booking_id: str, config_id: str) -> None:
    response = client.request(
        "DELETE",
        f"/v3/scheduling/bookings/{booking_id}",
        params={"configuration_id": config_id},
        json={"cancellation_reason": "cannot come"},
    )
    assert response.status_code == 200, response.text


def outbox_types(db: Database) -> list[str]:
    with db.session(write=False) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
        return [row.trigger for row in rows]


# ---------------------------------------------------------------------------- configurations


def test_group_configuration_round_trips(api: httpx.Client, db: Database) -> None:
    grant_id, _, config_id = make_group(
        api, db, group_booking={"calendar_id": "primary", "default_capacity": 8, "x-mine": 1}
    )
    data = api.get(f"{configurations(grant_id)}/{config_id}").json()["data"]
    assert data["type"] == "group"
    assert data["name"] == "Morning yoga"
    assert data["group_booking"] == {"calendar_id": "primary", "default_capacity": 8, "x-mine": 1}
    assert data["participants"] == []
    changed = api.put(
        f"{configurations(grant_id)}/{config_id}", json={"name": "Evening yoga"}
    ).json()["data"]
    assert changed["name"] == "Evening yoga"
    assert changed["group_booking"]["default_capacity"] == 8


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"group_booking": None}, "group_booking"),
        ({"group_booking": {"booking_type": "booking"}}, "group_booking.calendar_id"),
        ({"group_booking": {"calendar_id": "nope"}}, "group_booking.calendar_id"),
        (
            {"group_booking": {"calendar_id": "primary", "booking_type": "x"}},
            "group_booking.booking_type",
        ),
        (
            {"group_booking": {"calendar_id": "primary", "disable_emails": "no"}},
            "group_booking.disable_emails",
        ),
        (
            {"group_booking": {"calendar_id": "primary", "reminders": [{"type": "sms"}]}},
            "group_booking.reminders[0].type",
        ),
        ({"participants": [{"email": "bob@example.com"}]}, "participants"),
        ({"type": "party"}, "type"),
    ],
)
def test_group_configuration_refusals_name_the_field(
    api: httpx.Client, db: Database, change: dict[str, Any], field: str
) -> None:
    grant_id, _ = make_grant(db, ORGANIZER)
    body = {k: v for k, v in {**group_config(), **change}.items() if v is not None}
    response = api.post(configurations(grant_id), json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field + ":"), response.text


# ---------------------------------------------------------------------------- group events


def test_group_event_create_list_update_delete(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id, config_id = make_group(api, db)
    start = future_hour(3, 9)
    created = create_event(api, grant_id, config_id, event_body(start))
    event = created["event"]
    assert event["calendar_id"] == calendar_id
    assert event["title"] == "Yoga"
    assert event["participants"] == []  # the organizer is the calendar's owner
    info = created["group_event_info"]
    assert info["capacity"] == 3 and info["event_id"] == event["id"] and info["rrule"] == []

    listed = api.get(
        group_events(grant_id, config_id),
        params={"start_time": start - DAY, "end_time": start + DAY, "calendar_id": calendar_id},
    ).json()
    assert [e["event"]["id"] for e in listed["data"]] == [event["id"]]
    assert listed["next_cursor"] is None

    patched = api.patch(
        f"{group_events(grant_id, config_id)}/{event['id']}",
        json={"title": "Yoga (mats provided)", "capacity": 5},
    ).json()["data"]
    assert patched["event"]["title"] == "Yoga (mats provided)"
    assert patched["group_event_info"]["capacity"] == 5
    put = api.put(
        f"{group_events(grant_id, config_id)}/{event['id']}", json={"description": "Bring water"}
    ).json()["data"]
    assert put["event"]["description"] == "Bring water"
    assert put["event"]["title"] == "Yoga (mats provided)"
    found = api.get(f"{group_events(grant_id, config_id)}/{event['id']}").json()["data"]
    assert found["group_event_info"]["capacity"] == 5

    gone = api.delete(
        f"{group_events(grant_id, config_id)}/{event['id']}", params={"calendar_id": calendar_id}
    )
    assert gone.status_code == 200, gone.text
    missing = api.get(f"{group_events(grant_id, config_id)}/{event['id']}")
    assert missing.status_code == 404


def test_group_event_refusals(api: httpx.Client, db: Database) -> None:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    url = group_events(grant_id, config_id)
    for body, field in [
        (event_body(start, capacity=0), "capacity"),
        (event_body(start, capacity="many"), "capacity"),
        ({**event_body(start), "title": ""}, "title"),
        ({k: v for k, v in event_body(start).items() if k != "when"}, "when"),
        (event_body(start, when={"date": "2030-01-01"}), "when"),
        (event_body(start, recurrence=["RRULE:FREQ=SOMETIMES"]), "recurrence"),
    ]:
        response = api.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in response.json()["error"]["message"], (field, response.text)
    assert (
        api.get(url, params={"start_time": start - DAY, "end_time": start + DAY}).json()["data"]
        == []
    )
    unknown = api.patch(f"{url}/nope", json={"title": "x"})
    assert unknown.status_code == 404


def test_not_a_group_configuration(api: httpx.Client, db: Database) -> None:
    from tests.support.scheduling import config_body, create_config, participant

    grant_id, calendar_id = make_grant(db, ORGANIZER)
    config = create_config(
        api, grant_id, config_body([participant(ORGANIZER, calendar_id, organizer=True)])
    )
    response = api.post(group_events(grant_id, config["id"]), json=event_body(future_hour()))
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("type:")


def test_recurring_group_event_offers_each_meeting(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id, config_id = make_group(api, db)
    start = future_hour(2, 9)
    created = create_event(
        api, grant_id, config_id, event_body(start, recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    )
    master_id = created["event"]["id"]
    assert created["group_event_info"]["rrule"] == ["RRULE:FREQ=DAILY;COUNT=3"]
    slots = offer(api, config_id, start - HOUR, start + 5 * DAY)
    assert [s["start_time"] for s in slots] == [start, start + DAY, start + 2 * DAY]
    assert all(s["master_id"] == master_id and s["capacity"] == 3 for s in slots)
    assert all(s["calendar_id"] == calendar_id and s["emails"] == [ORGANIZER] for s in slots)
    assert len({s["event_id"] for s in slots}) == 3

    # One meeting of the series changes alone; the others keep theirs.
    second = slots[1]["event_id"]
    moved = api.patch(
        f"{group_events(grant_id, config_id)}/{second}", json={"title": "Yoga outdoors"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["event"]["master_event_id"] == master_id
    listed = api.get(
        group_events(grant_id, config_id),
        params={"start_time": start - HOUR, "end_time": start + 5 * DAY},
    ).json()["data"]
    assert [e["event"]["title"] for e in listed] == ["Yoga", "Yoga outdoors", "Yoga"]
    assert all(e["group_event_info"]["event_id"] == master_id for e in listed)

    # Deleting one meeting leaves the rest of the series.
    third = slots[2]["event_id"]
    assert api.delete(f"{group_events(grant_id, config_id)}/{third}").status_code == 200
    after = offer(api, config_id, start - HOUR, start + 5 * DAY)
    assert [s["start_time"] for s in after] == [start, start + DAY]


def test_import_an_event_of_the_calendar(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id, config_id = make_group(api, db)
    start = future_hour(3, 15)
    plain = api.post(
        f"/v3/grants/{grant_id}/events",
        params={"calendar_id": calendar_id},
        json={"title": "Book club", "when": {"start_time": start, "end_time": start + HOUR}},
    )
    assert plain.status_code == 200, plain.text
    event_id = plain.json()["data"]["id"]
    window: dict[str, Any] = {
        "start_time": start - HOUR,
        "end_time": start + 2 * HOUR,
        "show_all": "true",
    }
    before = api.get(group_events(grant_id, config_id), params=window).json()["data"]
    assert [("group_event_info" in e, e["event"]["id"]) for e in before] == [(False, event_id)]

    url = f"{configurations(grant_id)}/{config_id}/import-group-events"
    response = api.post(
        url,
        params={"calendar_id": calendar_id},
        json=[
            {"event_id": event_id, "calendar_id": calendar_id, "capacity": 4},
            {"event_id": "nope", "calendar_id": calendar_id},
        ],
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [e["event"]["id"] for e in data["imported_events"]] == [event_id]
    assert data["imported_events"][0]["group_event_info"]["capacity"] == 4
    assert [f["event_id"] for f in data["import_failed"]] == ["nope"]
    again = api.post(url, json=[{"event_id": event_id, "calendar_id": calendar_id}]).json()
    assert again["data"]["imported_events"] == []
    assert "already" in again["data"]["import_failed"][0]["reason"]
    after = api.get(group_events(grant_id, config_id), params=window).json()["data"]
    assert [("group_event_info" in e) for e in after] == [True]
    assert [s["capacity"] for s in offer(api, config_id, start - HOUR, start + HOUR)] == [4]


# ---------------------------------------------------------------------------- seats


def test_seats_fill_and_free(api: httpx.Client, db: Database, new_client: Any) -> None:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start, capacity=2))
    guest = new_client(api.base_url)
    [slot] = offer(guest, config_id, start - HOUR, start + HOUR)
    assert slot["capacity"] == 2

    valid = guest.post(
        f"/v3/scheduling/configurations/{config_id}/group-events/validate-timeslot", json=slot
    )
    assert valid.status_code == 200, valid.text
    assert valid.json()["data"]["capacity"] == 2

    first = book_seat(guest, config_id, slot, "bo@example.com")
    assert first.status_code == 200, first.text
    seat = first.json()["data"]
    assert seat["event_id"] == slot["event_id"] and seat["status"] == "booked"
    assert seat["booking_ref"]
    twice = book_seat(guest, config_id, slot, "bo@example.com")
    assert twice.status_code == 409 and twice.json()["error"]["message"].startswith("guest.email")
    second = book_seat(guest, config_id, slot, "cy@example.com")
    assert second.status_code == 200, second.text
    [full] = offer(guest, config_id, start - HOUR, start + HOUR)
    assert full["capacity"] == 0

    refused = book_seat(guest, config_id, slot, "di@example.com")
    assert refused.status_code == 409
    assert refused.json()["error"] == {"type": "timeslot_not_available", "message": "Event is full"}
    full_check = guest.post(
        f"/v3/scheduling/configurations/{config_id}/group-events/validate-timeslot", json=slot
    )
    assert full_check.status_code == 409
    assert full_check.json()["error"]["message"] == "Event is full"

    # A seat's booking has no event of its own: cancelling it leaves the group's meeting.
    cancel(guest, seat["booking_id"], config_id)
    [freed] = offer(guest, config_id, start - HOUR, start + HOUR)
    assert freed["capacity"] == 1
    assert outbox_types(db).count("booking.created") == 2
    assert outbox_types(db).count("booking.cancelled") == 1
    assert "event.deleted" not in outbox_types(db)

    moved = guest.patch(
        f"/v3/scheduling/bookings/{second.json()['data']['booking_id']}",
        params={"configuration_id": config_id},
        json={"start_time": start + HOUR, "end_time": start + 2 * HOUR},
    )
    assert moved.status_code == 400 and "cannot move" in moved.json()["error"]["message"]


def test_seat_booking_refusals(api: httpx.Client, db: Database) -> None:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start))
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)
    no_event = book_seat(api, config_id, {**slot, "event_id": None}, "bo@example.com")
    assert no_event.status_code == 400
    assert no_event.json()["error"]["message"].startswith("event_id:")
    wrong_time = book_seat(api, config_id, {**slot, "start_time": start + 60}, "bo@example.com")
    assert wrong_time.status_code == 409
    bad_wait = book_seat(api, config_id, slot, "bo@example.com", waitlist="yes")
    assert bad_wait.status_code == 400
    assert bad_wait.json()["error"]["message"].startswith("waitlist:")
    other = book_seat(api, config_id, {**slot, "event_id": "e" * 64}, "bo@example.com")
    assert other.status_code == 409


def test_change_that_drops_booked_seats_is_refused(api: httpx.Client, db: Database) -> None:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    created = create_event(api, grant_id, config_id, event_body(start, capacity=3))
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)
    for guest in ("bo@example.com", "cy@example.com"):
        assert book_seat(api, config_id, slot, guest).status_code == 200
    url = f"{group_events(grant_id, config_id)}/{created['event']['id']}"
    fewer = api.patch(url, json={"capacity": 1})
    assert fewer.status_code == 400 and fewer.json()["error"]["message"].startswith("capacity:")
    later = api.patch(
        url, json={"when": {"start_time": start + HOUR, "end_time": start + 2 * HOUR}}
    )
    assert later.status_code == 409
    assert api.delete(url).status_code == 409
    # Nothing changed.
    [still] = offer(api, config_id, start - HOUR, start + HOUR)
    assert (still["start_time"], still["capacity"]) == (start, 1)


# ---------------------------------------------------------------------------- the waitlist


def test_waitlist_first_in_line_gets_the_freed_seat(
    api: httpx.Client, db: Database, new_client: Any
) -> None:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start, capacity=1))
    guest = new_client(api.base_url)
    [slot] = offer(guest, config_id, start - HOUR, start + HOUR)
    seat = book_seat(guest, config_id, slot, "bo@example.com", waitlist=True).json()["data"]
    assert seat["status"] == "booked"  # a free seat is simply taken

    lines = []
    for name in ("cy", "di"):
        response = book_seat(guest, config_id, slot, f"{name}@example.com", waitlist=True)
        assert response.status_code == 200, response.text
        lines.append(response.json()["data"])
    assert [(w["status"], w["position"]) for w in lines] == [("waitlisted", 1), ("waitlisted", 2)]
    assert lines[0]["event_id"] == slot["event_id"]
    # Asking again keeps the place.
    again = book_seat(guest, config_id, slot, "cy@example.com", waitlist=True).json()["data"]
    assert (again["id"], again["position"]) == (lines[0]["id"], 1)

    created_before = outbox_types(db).count("booking.created")
    cancel(guest, seat["booking_id"], config_id)
    assert outbox_types(db).count("booking.created") == created_before + 1
    with db.session(write=False) as session:
        live = list(session.scalars(select(Booking).where(Booking.status == "booked")))
        entries = {e.guest_email: e for e in session.scalars(select(WaitlistEntry))}
    assert [b.guest["email"] for b in live] == ["cy@example.com"]
    assert entries["cy@example.com"].status == "booked"
    assert entries["cy@example.com"].booking_id == live[0].id
    assert entries["di@example.com"].status == "waiting"
    [after] = offer(guest, config_id, start - HOUR, start + HOUR)
    assert after["capacity"] == 0
    moved_up = book_seat(guest, config_id, slot, "di@example.com", waitlist=True).json()["data"]
    assert moved_up["position"] == 1


def test_ui_settings_of_a_group_configuration(api: httpx.Client, db: Database) -> None:
    _, _, config_id = make_group(api, db)
    response = api.get("/v3/scheduling/ui-settings", params={"configuration_id": config_id})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["organizer"] == {"name": "Ada", "email": ORGANIZER}
    assert data["name"] == "Morning yoga"


def test_past_and_unknown_meetings_are_not_offered(api: httpx.Client, db: Database) -> None:
    grant_id, _, config_id = make_group(api, db, scheduler={"min_booking_notice": 120})
    soon = future_hour(0, 0) + 3 * DAY  # far enough
    create_event(api, grant_id, config_id, event_body(soon))

    now = int(time.time())
    near = now + HOUR - now % 300  # inside the two hours' notice
    create_event(api, grant_id, config_id, event_body(near))
    slots = offer(api, config_id, now, soon + DAY)
    assert [s["start_time"] for s in slots] == [soon]


def test_declined_pending_seat_goes_to_the_line(api: httpx.Client, db: Database) -> None:
    from slotwise.ids import decode_booking_ref

    group_booking = {"calendar_id": "primary", "booking_type": "organizer-confirmation"}
    grant_id, _, config_id = make_group(api, db, group_booking=group_booking)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start, capacity=1))
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)
    seat = book_seat(api, config_id, slot, "bo@example.com").json()["data"]
    assert seat["status"] == "pending"
    waiting = book_seat(api, config_id, slot, "cy@example.com", waitlist=True).json()["data"]
    assert waiting["position"] == 1
    salt = decode_booking_ref(seat["booking_ref"]).salt  # type: ignore[union-attr]
    declined = api.put(
        f"/v3/scheduling/bookings/{seat['booking_id']}",
        params={"configuration_id": config_id},
        json={"status": "cancelled", "salt": salt},
    )
    assert declined.status_code == 200, declined.text
    with db.session(write=False) as session:
        live = list(session.scalars(select(Booking).where(Booking.status == "pending")))
    assert [b.guest["email"] for b in live] == ["cy@example.com"]
    assert outbox_types(db).count("booking.pending") == 2


def _explain(client: httpx.Client, config_id: str, times: list[int]) -> list[dict[str, Any]]:
    response = client.get(
        "/v3/scheduling/availability/explain",
        params={"configuration_id": config_id, "start_time": ",".join(map(str, times))},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["explanations"])


def test_a_group_configuration_explains_its_meetings_and_their_seats(
    api: httpx.Client, db: Database
) -> None:
    """Offered: a meeting with a seat left starts then (as the group listing says); else no
    meeting starts then (the nearest are named), or the meeting is full."""
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    made = create_event(api, grant_id, config_id, event_body(start))
    meeting, between = _explain(api, config_id, [start, start + HOUR])
    assert meeting["offered"] and meeting["emails"] == [ORGANIZER]
    assert meeting["end_time"] == start + HOUR
    assert not between["offered"]
    assert [r["code"] for r in between["reasons"]] == ["no_group_meeting"]
    assert between["reasons"][0]["details"] == {"nearest": [start]}
    [slot] = offer(api, config_id, start, start + HOUR)
    for n in range(3):
        assert book_seat(api, config_id, slot, f"g{n}@example.com").status_code == 200
    [full] = _explain(api, config_id, [start])
    assert not full["offered"]
    assert [r["code"] for r in full["reasons"]] == ["full"]
    assert full["reasons"][0]["details"] == {
        "capacity": 3,
        "taken": 3,
        "event_id": made["event"]["id"],
    }
    # The listing still shows the full meeting (for its waitlist), with no seats left.
    assert [s["capacity"] for s in offer(api, config_id, start, start + HOUR)] == [0]

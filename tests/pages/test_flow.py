"""A backend's whole flow over HTTP: a page for two accounts, edited with its edit_token, booked
from the public routes in both round-robin modes, a manual page confirmed, `expire_after`
running out, cancel, reschedule, delete; and two guests racing for one slot. Both databases.

The server runs in this process, so the tests set the clock (slotwise.clock) instead of
waiting: the rotation orders hosts by when they were last booked, to the second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import Booking, OutboxMessage
from tests.bookings.test_concurrency import assert_no_double_booking
from tests.support.factories import create_event
from tests.support.pages import (
    Account,
    account,
    bearer,
    booking_request,
    create_page,
    page_body,
)
from tests.support.server import http_client
from tests.support.waiting import HTTP_TIMEOUT

HOUR = 3600


@pytest.fixture
def advance(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], int]:
    """Freeze the server's clock on the hour; `advance(seconds)` moves it on, returns it."""
    state = {"now": (clock.now() // HOUR + 1) * HOUR}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def move(seconds: int) -> int:
        state["now"] += seconds
        return state["now"]

    return move


def slots(client: httpx.Client, slug: str) -> list[dict[str, Any]]:
    response = client.get(f"/schedule/{slug}/timeslots")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def book(client: httpx.Client, slug: str, slot: dict[str, Any], **extra: Any) -> httpx.Response:
    return client.post(f"/schedule/{slug}/timeslots", json={**booking_request(slot), **extra})


def hosts_offered(found: list[dict[str, Any]]) -> set[str]:
    return {s["account_id"] for s in found}


def busy(api: httpx.Client, who: Account, start: int, end: int) -> None:
    create_event(
        api, who.grant_id, {"title": "Busy", "when": {"start_time": start, "end_time": end}}
    )


def test_round_robin_rotation_in_both_modes(
    api: httpx.Client, anon: httpx.Client, db: Database, advance: Callable[[int], int]
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    now = advance(0)
    ann_busy = now + 5 * HOUR
    busy(api, ann, ann_busy, ann_busy + HOUR)
    body = page_body(ann, bob, slug="team")
    body["config"]["booking"]["scheduling_method"] = "round-robin-maximize-fairness"
    page = create_page(anon, body, ann.token)

    # Strict rotation: ann is next (never booked, first by email) and the only host offered,
    # so her busy hour is not offered even though bob is free then.
    found = slots(anon, "team")
    assert hosts_offered(found) == {ann.grant_id}
    assert ann_busy not in {s["start"] for s in found}
    assert found[0]["emails"] == [ann.email] and found[0]["host_name"]
    assert found[0]["calendar_id"] and found[0]["end"] - found[0]["start"] == 1800
    first = book(anon, "team", found[0])
    assert first.status_code == 200, first.text
    assert first.json()["account_id"] == ann.grant_id

    advance(60)
    found = slots(anon, "team")
    assert hosts_offered(found) == {bob.grant_id}
    second = book(anon, "team", found[0])
    assert second.json()["account_id"] == bob.grant_id
    advance(60)
    assert hosts_offered(slots(anon, "team")) == {ann.grant_id}

    # Edited with its edit_token to maximize availability: anyone's free time is offered,
    # each slot naming whoever is free, next in line first.
    edited = api.get(f"/manage/pages/{page['id']}").json()
    edited["config"]["booking"]["scheduling_method"] = "round-robin-maximize-availability"
    put = anon.put(f"/manage/pages/{page['id']}", json=edited, headers=bearer(page["edit_token"]))
    assert put.status_code == 200, put.text
    found = slots(anon, "team")
    by_start = {s["start"]: s for s in found}
    assert by_start[ann_busy]["account_id"] == bob.grant_id  # ann is busy, bob is not
    assert by_start[ann_busy + 2 * HOUR]["account_id"] == ann.grant_id  # ann is next in line
    taken = book(anon, "team", by_start[ann_busy])
    assert taken.json()["account_id"] == bob.grant_id
    advance(60)
    # The slot named ann, but booking decides by the rotation at booking time: still ann.
    later = book(anon, "team", by_start[ann_busy + 3 * HOUR])
    assert later.json()["account_id"] == ann.grant_id
    assert_no_double_booking(db)

    with db.session(write=False) as session:
        triggers = [m.trigger for m in session.scalars(select(OutboxMessage))]
    assert triggers.count("booking.created") == 4


def test_collective_page_needs_everyone_free(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    now = advance(0)
    busy(api, bob, now + 4 * HOUR, now + 5 * HOUR)
    create_page(anon, page_body(ann, bob, slug="both"), bob.token)
    found = slots(anon, "both")
    starts = {s["start"] for s in found}
    assert now + 4 * HOUR not in starts and now + 5 * HOUR in starts
    assert all(s["emails"] == [ann.email, bob.email] for s in found)
    assert hosts_offered(found) == {ann.grant_id}  # the organizer: the first account
    done = book(anon, "both", found[0])
    assert done.status_code == 200
    with http_client(
        base_url=str(api.base_url), headers=api.headers, timeout=HTTP_TIMEOUT
    ) as admin:
        events = admin.get(f"/v3/grants/{ann.grant_id}/events", params={"calendar_id": "primary"})
    participants = {p["email"] for p in events.json()["data"][0]["participants"]}
    assert {bob.email, "guest@example.com"} <= participants


def test_manual_confirmation_expiry_cancel_reschedule_and_delete(
    api: httpx.Client, anon: httpx.Client, db: Database, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="manual")
    body["config"]["booking"]["confirmation_method"] = "manual"
    body["config"]["booking"]["additional_fields"] = [
        {"name": "company", "label": "Company", "type": "text", "required": True},
        {"name": "seats", "label": "Seats", "type": "number", "required": False},
    ]
    page = create_page(anon, body, ann.token)
    slot = slots(anon, "manual")[0]
    missing = book(anon, "manual", slot)
    assert missing.status_code == 400 and missing.json()["message"].startswith(
        "additional_values.company"
    )
    not_number = book(anon, "manual", slot, additional_values={"company": "Acme", "seats": "x"})
    assert not_number.status_code == 400 and "additional_values.seats" in not_number.text
    answers = {"company": "Acme", "seats": "3"}
    made = book(anon, "manual", slot, additional_values=answers)
    assert made.status_code == 200, made.text
    pending = made.json()
    assert pending["is_confirmed"] is False and pending["additional_field_values"] == answers
    assert set(pending) >= {
        "id", "account_id", "calendar_id", "calendar_event_id", "edit_hash", "start_time",
        "end_time", "location", "title", "recipient_email", "recipient_name",
        "recipient_locale", "recipient_tz",
    }  # fmt: skip
    assert pending["recipient_tz"] == "Europe/Berlin" and pending["location"] == "Room 1"
    # Pending holds the slot.
    assert slot["start"] not in {s["start"] for s in slots(anon, "manual")}
    confirm = f"/schedule/manual/{pending['edit_hash']}/confirm"
    assert anon.post(confirm, json={}).status_code == 401  # the guest cannot confirm
    zed = account(api, "zed@example.com")
    other = create_page(anon, page_body(zed, slug="z"), zed.token)
    assert anon.post(confirm, json={}, headers=bearer(other["edit_token"])).status_code == 404
    confirmed = anon.post(confirm, json={}, headers=bearer(page["edit_token"]))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["is_confirmed"] is True and confirmed.json()["id"] == pending["id"]

    # Reschedule by edit_hash: the same booking moves.
    new_slot = slots(anon, "manual")[3]
    moved = book(
        anon, "manual", new_slot, additional_values=answers,
        replaces_booking_hash=pending["edit_hash"],
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == pending["id"] and moved.json()["start_time"] == new_slot["start"]
    assert slot["start"] in {s["start"] for s in slots(anon, "manual")}

    cancel = anon.post(f"/schedule/manual/{pending['edit_hash']}/cancel", json={"reason": "ill"})
    assert cancel.json() == {"success": True}
    with db.session(write=False) as session:
        booking = session.scalars(select(Booking)).one()
        assert booking.status == "cancelled" and booking.cancellation_reason == "ill"
    again = anon.post(f"/schedule/manual/{pending['edit_hash']}/cancel", json={})
    assert again.status_code == 409
    assert anon.post("/schedule/manual/not-a-hash/cancel", json={}).status_code == 404

    deleted = anon.delete(f"/manage/pages/{page['id']}", headers=bearer(page["edit_token"]))
    assert deleted.json() == {"success": True}
    assert anon.get("/schedule/manual/info").status_code == 404
    assert anon.get("/schedule/manual/timeslots").status_code == 404


def test_expire_after_uses_closes_the_page(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="once", expire_after={"uses": 2}), ann.token)
    found = slots(anon, "once")
    assert book(anon, "once", found[0]).status_code == 200
    assert book(anon, "once", found[1]).status_code == 200
    assert slots(anon, "once") == []
    closed = book(anon, "once", found[2])
    assert closed.status_code == 409 and "expire" in closed.json()["message"]
    info = anon.get("/schedule/once/info").json()
    assert "edit_token" not in info and "access_tokens" not in info
    assert info["config"]["expire_after"] == {"uses": 2}
    assert "reminders" not in info["config"]  # may hold the owner's webhook URLs


def test_expire_after_date_closes_the_page(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    now = advance(0)
    create_page(anon, page_body(ann, slug="dated", expire_after={"date": now + 60}), ann.token)
    found = slots(anon, "dated")
    assert found
    advance(120)
    assert slots(anon, "dated") == []
    assert book(anon, "dated", found[-1]).status_code == 409


def test_notice_buffer_and_cancellation_notice(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    now = advance(0)
    busy(api, ann, now + 6 * HOUR, now + 7 * HOUR)
    body = page_body(ann, slug="rules")
    body["config"]["booking"].update(
        {"min_booking_notice": 120, "min_buffer": 30, "min_cancellation_notice": 180}
    )
    create_page(anon, body, ann.token)
    starts = [s["start"] for s in slots(anon, "rules")]
    assert min(starts) >= now + 2 * HOUR
    for start in starts:  # 30 minutes kept free around the busy hour
        assert start + 1800 <= now + 6 * HOUR - 1800 or start >= now + 7 * HOUR + 1800
    early = {"start": now + HOUR, "end": now + HOUR + 1800}
    refused = book(anon, "rules", early)
    assert refused.status_code == 409
    soon = [s for s in slots(anon, "rules") if s["start"] < now + 3 * HOUR][0]
    made = book(anon, "rules", soon).json()
    cancel = anon.post(f"/schedule/rules/{made['edit_hash']}/cancel", json={})
    assert cancel.status_code == 400 and "180 minutes" in cancel.json()["message"]


def test_bad_booking_requests_name_their_field(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="strict"), ann.token)
    slot = slots(anon, "strict")[0]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"email": "nope"}, "email"),
        ({"name": ""}, "name"),
        ({"slot": None}, "slot"),
        ({"slot": {**slot, "start": "soon"}}, "slot.start"),
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"additional_emails": ["bad"]}, "additional_emails[0]"),
        ({"additional_values": []}, "additional_values"),
    ]
    for change, field in cases:
        response = anon.post("/schedule/strict/timeslots", json={**booking_request(slot), **change})
        assert response.status_code == 400, (field, response.text)
        assert response.json()["message"].startswith(field), response.json()["message"]
    shifted = {**slot, "start": slot["start"] + 60, "end": slot["end"] + 60}
    assert book(anon, "strict", shifted).status_code == 409
    assert anon.get("/schedule/missing/timeslots").status_code == 404


def test_two_guests_racing_for_one_slot_get_one_booking(
    api: httpx.Client, anon: httpx.Client, db: Database, server: Any
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    create_page(anon, page_body(ann, bob, slug="race"), ann.token)
    slot = slots(anon, "race")[0]
    barrier = threading.Barrier(8)
    results: list[int] = []

    def guest(i: int) -> None:
        with http_client(base_url=server.url, timeout=HTTP_TIMEOUT) as client:
            barrier.wait()
            response = book(client, "race", slot)
            results.append(response.status_code)

    threads = [threading.Thread(target=guest, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * 7
    assert_no_double_booking(db)


def test_additional_fields_of_every_type_and_reminders_mean_what_they_say(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    specs = [
        ("note", "text", {}),
        ("story", "multi-line text", {}),
        ("work_email", "email", {}),
        ("phone", "phone", {}),
        ("seats", "number", {}),
        ("size", "dropdown", {"dropdown_options": ["S", "M"]}),
        ("agree", "checkbox", {}),
        ("topics", "multi-select list", {"multi_select_options": ["a", "b"]}),
        ("day", "date", {}),
    ]
    body = page_body(ann, slug="fields")
    body["config"]["booking"]["additional_fields"] = [
        {"name": name, "label": name.title(), "type": kind, "required": True, "order": i, **extra}
        for i, (name, kind, extra) in enumerate(specs)
    ]
    body["config"]["reminders"] = [
        {"delivery_method": "email", "delivery_recipient": "customer", "time_before_event": 60}
    ]
    create_page(anon, body, ann.token)
    config = api.get(f"/v3/grants/{ann.grant_id}/scheduling/configurations").json()["data"][0]
    assert config["event_booking"]["reminders"] == [
        {"type": "email", "minutes_before_event": 60, "recipient": "guest"}
    ]
    assert config["scheduler"]["additional_fields"]["topics"]["type"] == "multi_select"
    answers = {
        "note": "hi",
        "story": "line one\nline two",
        "work_email": "me@work.example",
        "phone": "+1 555 0100",
        "seats": "4",
        "size": "M",
        "agree": True,
        "topics": ["a", "b"],
        "day": "2030-01-02",
    }
    slot = slots(anon, "fields")[0]
    for name, bad in [("size", "XL"), ("topics", ["c"]), ("work_email", "no"), ("day", "soon")]:
        response = book(anon, "fields", slot, additional_values={**answers, name: bad})
        assert response.status_code == 400, (name, response.text)
        assert response.json()["message"].startswith(f"additional_values.{name}")
    made = book(anon, "fields", slot, additional_values=answers)
    assert made.status_code == 200, made.text
    assert made.json()["additional_field_values"] == answers


def test_opening_hours_per_account_and_letter_days(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    body = page_body(ann, bob, slug="hours")
    body["config"]["booking"]["scheduling_method"] = "round-robin-maximize-availability"
    body["config"]["booking"]["available_days_in_future"] = 7
    body["config"]["booking"]["opening_hours"] = [
        {"days": ["M", "T", "W", "R", "F"], "start": "9:00", "end": "10:00"},
        {"days": ["R"], "start": "14:00", "end": "15:00", "account_id": bob.grant_id},
    ]
    create_page(anon, body, ann.token)
    found = slots(anon, "hours")
    by_weekday: dict[int, set[tuple[int, str]]] = {}
    for s in found:
        day = datetime.fromtimestamp(s["start"], UTC)
        by_weekday.setdefault(day.weekday(), set()).add((day.hour, s["account_id"]))
    assert set(by_weekday) <= {0, 1, 2, 3, 4}  # no weekend: only M-F were given
    assert all(hour == 9 for day, hours in by_weekday.items() for hour, _ in hours if day != 3)
    thursday = by_weekday[3]
    assert {(14, bob.grant_id)} <= thursday  # bob's own Thursday afternoon
    assert not any(hour == 14 and who == ann.grant_id for hour, who in thursday)


def test_idempotency_key_replays_the_first_confirmation(
    api: httpx.Client, anon: httpx.Client, db: Database
) -> None:
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="retry"), ann.token)
    found = slots(anon, "retry")
    headers = {"Idempotency-Key": "v2-key-1"}
    request = booking_request(found[0])
    first = anon.post("/schedule/retry/timeslots", json=request, headers=headers)
    again = anon.post("/schedule/retry/timeslots", json=request, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json() == again.json()
    other = anon.post("/schedule/retry/timeslots", json=booking_request(found[1]), headers=headers)
    assert other.status_code == 400, other.text
    assert other.json()["type"] == "api.invalid_idempotency_key"
    too_long = anon.post(
        "/schedule/retry/timeslots", json=request, headers={"Idempotency-Key": "k" * 300}
    )
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["message"]
    with db.session(write=False) as session:
        [stored] = list(session.scalars(select(Booking)))
    assert stored.idempotency_key == "v2-key-1"


def test_slots_start_with_the_opening_hours_and_follow_every_step(
    api: httpx.Client, anon: httpx.Client, advance: Callable[[int], int]
) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="grid")
    body["config"]["event"]["duration"] = 45
    body["config"]["booking"]["opening_hours"] = [
        {"days": ["M", "T", "W", "R", "F", "S", "U"], "start": "10:00", "end": "12:00"}
    ]
    create_page(anon, body, ann.token)
    tomorrow = (advance(0) // 86400 + 1) * 86400  # today's hours may have begun already

    def later_days() -> list[dict[str, Any]]:
        return [s for s in slots(anon, "grid") if s["start"] >= tomorrow]

    found = later_days()
    times = {(datetime.fromtimestamp(s["start"], UTC).strftime("%H:%M")) for s in found}
    assert times == {"10:00", "10:45"}
    # With interval_minutes the starts step by the interval, from the opening hours' start.
    edited = api.get("/manage/pages").json()[0]
    edited["config"]["booking"]["interval_minutes"] = 30
    assert api.put(f"/manage/pages/{edited['id']}", json=edited).is_success
    found = later_days()
    times = {(datetime.fromtimestamp(s["start"], UTC).strftime("%H:%M")) for s in found}
    assert times == {"10:00", "10:30", "11:00"}
    # After a busy time the next start rounds up to the grid's grain (15 minutes for 45).
    day = max(s["start"] for s in found) // 86400 * 86400
    busy(api, ann, day + 10 * HOUR, day + 10 * HOUR + 10 * 60)
    edited["config"]["booking"].pop("interval_minutes")
    assert api.put(f"/manage/pages/{edited['id']}", json=edited).is_success
    that_day = [s for s in later_days() if s["start"] // 86400 * 86400 == day]
    assert [datetime.fromtimestamp(s["start"], UTC).strftime("%H:%M") for s in that_day] == [
        "10:15",
        "11:00",
    ]

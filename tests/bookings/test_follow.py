"""Bookings follow their calendar events: moved through the events API or on a CalDAV server
(Radicale), the booking moves; deleted, it is cancelled. Webhooks, emails and reminders
follow exactly once, and Slotwise's own changes through the booking API fire nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.bookings.follow import CANCELLATION_REASON
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, OutboxMessage, ProviderCalendar, Reminder
from slotwise.events import remote_writes
from slotwise.providers.sync import sync_now
from tests.notifications.smtp import SmtpServer
from tests.providers.conftest import Account, account, radicale
from tests.support.delivery import subscribe
from tests.support.pages import account as page_account
from tests.support.pages import bearer, booking_request, create_page, page_body
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.webhooks.receiver import Receiver

__all__ = ["account", "radicale"]

TRIGGERS = [
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "event.created",
    "event.updated",
    "event.deleted",
]
REMINDER = {"type": "webhook", "minutes_before_event": 30}


@dataclass
class Watch:
    """A webhook receiver and an SMTP server, and a worker that runs until all is delivered."""

    db: Database
    receiver: Receiver
    smtp: SmtpServer
    settings: Settings
    run_worker: Callable[..., None]

    def settle(self, until: Callable[[], bool]) -> None:
        """Run the worker until `until()` holds and nothing is left to fan out or deliver."""
        self.run_worker(lambda: until() and self._idle(), settings_=self.settings)

    def _idle(self) -> bool:
        with self.db.session(write=False) as session:
            undispatched = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None))
            )
            pending = session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
            )
        return undispatched == 0 and pending == 0

    def triggers(self) -> Counter[str]:
        return Counter(r.type for r in self.receiver.received)

    def subjects(self, to: str) -> list[str]:
        return [str(m["Subject"]) for rcpt, m in self.smtp.mailbox.messages if rcpt == [to]]

    def reminders(self, booking_id: str) -> list[tuple[str, int]]:
        with self.db.session(write=False) as session:
            rows = session.scalars(select(Reminder).where(Reminder.booking_id == booking_id))
            return sorted((r.status, r.due_at) for r in rows)


@pytest.fixture
def watch(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    smtp: SmtpServer,
    mail_settings: Settings,
    run_worker: Callable[..., None],
) -> Watch:
    subscribe(api, receiver, TRIGGERS)
    return Watch(db, receiver, smtp, mail_settings, run_worker)


def _config(api: httpx.Client, grant_id: str, email: str, calendar_id: str) -> dict[str, Any]:
    body = config_body(
        [participant(email, calendar_id, organizer=True)],
        event_booking={"title": "Intro call", "timezone": "UTC", "reminders": [REMINDER]},
    )
    return create_config(api, grant_id, body)


def _booking(api: httpx.Client, config_id: str, booking_id: str) -> dict[str, Any]:
    response = api.get(
        f"/v3/scheduling/bookings/{booking_id}", params={"configuration_id": config_id}
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _book(api: httpx.Client, config_id: str, start: int) -> dict[str, Any]:
    response = book(api, config_id, start)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _booked_times(api: httpx.Client, config_id: str, booking_id: str) -> tuple[Any, ...]:
    data = _booking(api, config_id, booking_id)
    return data["status"], data["start_time"], data["end_time"]


# ---------------------------------------------------------------------------- events API


def test_moving_the_event_through_the_events_api_moves_the_booking(
    api: httpx.Client, db: Database, watch: Watch
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    config = _config(api, grant_id, "ada@example.com", calendar_id)
    start = future_hour(3, 10)
    booking = _book(api, config["id"], start)
    watch.settle(lambda: watch.triggers()["booking.created"] == 1)
    event_url = f"/v3/grants/{grant_id}/events/{booking['event_id']}"
    moved_to = start + 2 * HOUR
    moved = api.put(
        event_url,
        params={"calendar_id": calendar_id},
        # Longer than a slot and off the configuration's grid: the calendar is the truth.
        json={"when": {"start_time": moved_to + 600, "end_time": moved_to + 600 + HOUR}},
    )
    assert moved.status_code == 200, moved.text
    # The booking moved in the same transaction as the event.
    assert _booked_times(api, config["id"], booking["booking_id"]) == (
        "booked",
        moved_to + 600,
        moved_to + 600 + HOUR,
    )
    watch.settle(lambda: watch.triggers()["booking.rescheduled"] == 1)
    assert watch.triggers() == Counter(
        {"booking.created": 1, "event.created": 1, "event.updated": 1, "booking.rescheduled": 1}
    )
    rescheduled = next(r for r in watch.receiver.received if r.type == "booking.rescheduled")
    info = rescheduled.object["booking_info"]
    assert (info["start_time"], info["end_time"]) == (moved_to + 600, moved_to + 600 + HOUR)
    assert (info["old_start_time"], info["old_end_time"]) == (start, start + 1800)
    assert watch.subjects("guest@example.com") == [
        "Booking confirmed: Intro call",
        "Booking rescheduled: Intro call",
    ]
    assert watch.reminders(booking["booking_id"]) == [
        ("cancelled", start - 1800),
        ("pending", moved_to + 600 - 1800),
    ]

    # Deleting the event cancels the booking.
    deleted = api.delete(event_url, params={"calendar_id": calendar_id})
    assert deleted.status_code == 200, deleted.text
    data = _booking(api, config["id"], booking["booking_id"])
    assert data["status"] == "cancelled"
    assert data["cancellation_reason"] == CANCELLATION_REASON
    watch.settle(lambda: watch.triggers()["booking.cancelled"] == 1)
    assert watch.triggers() == Counter(
        {
            "booking.created": 1,
            "event.created": 1,
            "event.updated": 1,
            "booking.rescheduled": 1,
            "event.deleted": 1,
            "booking.cancelled": 1,
        }
    )
    cancelled = next(r for r in watch.receiver.received if r.type == "booking.cancelled")
    assert cancelled.object["booking_info"]["cancellation_reason"] == CANCELLATION_REASON
    assert watch.subjects("guest@example.com")[-1] == "Booking cancelled: Intro call"
    assert len(watch.subjects("guest@example.com")) == 3
    assert len(watch.subjects("ada@example.com")) == 3
    assert {status for status, _ in watch.reminders(booking["booking_id"])} == {"cancelled"}
    # The slot is free again.
    assert book(api, config["id"], start).status_code == 200


def test_the_booking_apis_own_changes_fire_once(
    api: httpx.Client, db: Database, watch: Watch
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    config = _config(api, grant_id, "ada@example.com", calendar_id)
    start = future_hour(3, 10)
    booking = _book(api, config["id"], start)
    url = f"/v3/scheduling/bookings/{booking['booking_id']}"
    params = {"configuration_id": config["id"]}
    moved = api.patch(
        url, params=params, json={"start_time": start + HOUR, "end_time": start + HOUR + 1800}
    )
    assert moved.status_code == 200, moved.text
    assert api.request("DELETE", url, params=params, json={}).status_code == 200
    watch.settle(lambda: watch.triggers()["booking.cancelled"] == 1)
    assert watch.triggers() == Counter(
        {
            "booking.created": 1,
            "event.created": 1,
            "booking.rescheduled": 1,
            "event.updated": 1,
            "booking.cancelled": 1,
            "event.deleted": 1,
        }
    )
    assert _booking(api, config["id"], booking["booking_id"])["cancellation_reason"] == ""
    assert len(watch.subjects("guest@example.com")) == 3


def test_a_move_onto_another_booking_is_followed(
    api: httpx.Client, db: Database, watch: Watch
) -> None:
    """The calendar is the truth: the moved booking follows even onto another booking's time."""
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    config = _config(api, grant_id, "ada@example.com", calendar_id)
    start = future_hour(3, 10)
    first = _book(api, config["id"], start)
    second = _book(api, config["id"], start + HOUR)
    moved = api.put(
        f"/v3/grants/{grant_id}/events/{first['event_id']}",
        params={"calendar_id": calendar_id},
        json={"when": {"start_time": start + HOUR, "end_time": start + HOUR + 1800}},
    )
    assert moved.status_code == 200, moved.text
    assert _booked_times(api, config["id"], first["booking_id"]) == (
        "booked",
        start + HOUR,
        start + HOUR + 1800,
    )
    assert _booked_times(api, config["id"], second["booking_id"]) == (
        "booked",
        start + HOUR,
        start + HOUR + 1800,
    )
    # The freed time is offered again; the doubly booked time is not.
    assert book(api, config["id"], start).status_code == 200
    assert book(api, config["id"], start + HOUR).status_code == 409


def test_other_event_changes_leave_the_booking_alone(
    api: httpx.Client, db: Database, watch: Watch
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    config = _config(api, grant_id, "ada@example.com", calendar_id)
    start = future_hour(3, 10)
    booking = _book(api, config["id"], start)
    renamed = api.put(
        f"/v3/grants/{grant_id}/events/{booking['event_id']}",
        params={"calendar_id": calendar_id},
        json={"title": "Intro call (agenda attached)"},
    )
    assert renamed.status_code == 200, renamed.text
    watch.settle(lambda: watch.triggers()["event.updated"] == 1)
    assert watch.triggers()["booking.rescheduled"] == 0
    assert _booked_times(api, config["id"], booking["booking_id"]) == (
        "booked",
        start,
        start + 1800,
    )


# ---------------------------------------------------------------------------- CalDAV


def _connect(api: httpx.Client, account: Account) -> tuple[str, str]:
    response = api.post("/v3/connect/custom", json=account.connect_body())
    assert response.status_code == 200, response.text
    grant_id = response.json()["data"]["id"]
    calendars = api.get(f"/v3/grants/{grant_id}/calendars").json()["data"]
    return grant_id, next(c["id"] for c in calendars if c["is_primary"])


def _moved_on_the_server(text: str, start: int, end: int) -> str:
    """The booking's object as a calendar client would save it after dragging it."""
    from datetime import UTC, datetime

    def at(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("DTSTART"):
            line = f"DTSTART:{at(start)}"
        elif line.startswith("DTEND"):
            line = f"DTEND:{at(end)}"
        elif line.startswith("SEQUENCE"):
            line = "SEQUENCE:5"
        lines.append(line)
    return "\r\n".join(lines)


def test_a_booking_follows_its_event_on_a_caldav_server(
    api: httpx.Client, db: Database, watch: Watch, account: Account
) -> None:
    grant_id, calendar_id = _connect(api, account)
    config = _config(api, grant_id, account.email, calendar_id)
    start = future_hour(3, 10)
    booking = _book(api, config["id"], start)
    watch.settle(lambda: watch.triggers()["booking.created"] == 1)
    remote_writes.write_due(db, DeliveryPolicy())  # unless the passes above made it already
    [(href, text)] = account.objects().items()
    name = href.rsplit("/", 1)[-1]
    moved_to = start + 3 * HOUR
    account.put(name, _moved_on_the_server(text, moved_to, moved_to + 1800))
    with db.session(write=False) as session:
        [remote] = session.scalars(select(ProviderCalendar)).all()
    sync_now(db, remote.calendar_id)
    assert _booked_times(api, config["id"], booking["booking_id"]) == (
        "booked",
        moved_to,
        moved_to + 1800,
    )
    # A second sync of the same state changes nothing more.
    sync_now(db, remote.calendar_id)
    watch.settle(lambda: watch.triggers()["booking.rescheduled"] == 1)
    assert watch.triggers() == Counter(
        {"booking.created": 1, "event.created": 1, "booking.rescheduled": 1}
    )
    assert watch.subjects("guest@example.com") == [
        "Booking confirmed: Intro call",
        "Booking rescheduled: Intro call",
    ]
    assert watch.reminders(booking["booking_id"]) == [
        ("cancelled", start - 1800),
        ("pending", moved_to - 1800),
    ]
    # The booking API still moves it (the mirror's etag is current), once.
    moved = api.patch(
        f"/v3/scheduling/bookings/{booking['booking_id']}",
        params={"configuration_id": config["id"]},
        json={"start_time": start, "end_time": start + 1800},
    )
    assert moved.status_code == 200, moved.text
    # A sync before the move is written leaves the booking where the API put it.
    sync_now(db, remote.calendar_id)
    assert _booked_times(api, config["id"], booking["booking_id"])[1] == start
    remote_writes.write_due(db, DeliveryPolicy())
    sync_now(db, remote.calendar_id)
    assert _booked_times(api, config["id"], booking["booking_id"])[1] == start
    watch.settle(lambda: watch.triggers()["booking.rescheduled"] == 2)
    assert watch.triggers()["booking.rescheduled"] == 2

    # Deleted on the server: the next sync cancels the booking.
    account.delete(name)
    sync_now(db, remote.calendar_id)
    data = _booking(api, config["id"], booking["booking_id"])
    assert (data["status"], data["cancellation_reason"]) == ("cancelled", CANCELLATION_REASON)
    sync_now(db, remote.calendar_id)
    watch.settle(lambda: watch.triggers()["booking.cancelled"] == 1)
    assert watch.triggers() == Counter(
        {
            "booking.created": 1,
            "event.created": 1,
            "booking.rescheduled": 2,
            "event.updated": 1,
            "booking.cancelled": 1,
        }
    )
    assert watch.subjects("guest@example.com")[-1] == "Booking cancelled: Intro call"
    assert len(watch.subjects("guest@example.com")) == 4
    assert {status for status, _ in watch.reminders(booking["booking_id"])} == {"cancelled"}


def test_a_cancelled_status_on_the_server_cancels_the_booking(
    api: httpx.Client, db: Database, watch: Watch, account: Account
) -> None:
    grant_id, calendar_id = _connect(api, account)
    config = _config(api, grant_id, account.email, calendar_id)
    start = future_hour(3, 11)
    booking = _book(api, config["id"], start)
    # The booking's event reaches the server after the commit, by the worker.
    remote_writes.write_due(db, DeliveryPolicy())
    [(href, text)] = account.objects().items()
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if not ln.startswith("STATUS")]
    cancelled = "\r\n".join(lines).replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT")
    account.put(href.rsplit("/", 1)[-1], cancelled)
    with db.session(write=False) as session:
        [remote] = session.scalars(select(ProviderCalendar)).all()
    sync_now(db, remote.calendar_id)
    assert _booked_times(api, config["id"], booking["booking_id"])[0] == "cancelled"
    watch.settle(lambda: watch.triggers()["booking.cancelled"] == 1)
    assert watch.triggers()["booking.cancelled"] == 1


# ---------------------------------------------------------------------------- v2 pages


def test_a_page_booking_follows_its_event(api: httpx.Client, watch: Watch) -> None:
    ada = page_account(api, "ada-page@example.com")
    page = create_page(api, page_body(ada, slug="ada-follow"), ada.token)
    slot = api.get("/schedule/ada-follow/timeslots").json()[3]
    made = api.post("/schedule/ada-follow/timeslots", json=booking_request(slot))
    assert made.status_code == 200, made.text
    confirmation = made.json()
    calendar_id = confirmation["calendar_id"]
    event_url = f"/v3/grants/{ada.grant_id}/events/{confirmation['calendar_event_id']}"
    listed_url = f"/manage/pages/{page['id']}/bookings"
    moved_to = slot["start"] + 4 * HOUR
    moved = api.put(
        event_url,
        params={"calendar_id": calendar_id},
        json={"when": {"start_time": moved_to, "end_time": moved_to + 1800}},
    )
    assert moved.status_code == 200, moved.text
    [listed] = api.get(listed_url, headers=bearer(ada.token)).json()
    assert (listed["start_time"], listed["end_time"]) == (moved_to, moved_to + 1800)
    assert api.delete(event_url, params={"calendar_id": calendar_id}).status_code == 200
    assert api.get(listed_url, headers=bearer(ada.token)).json() == []
    watch.settle(lambda: watch.triggers()["booking.cancelled"] == 1)
    assert watch.triggers()["booking.rescheduled"] == 1
    assert watch.subjects("guest@example.com")[-2:] == [
        "Booking rescheduled: Intro Meeting",
        "Booking cancelled: Intro Meeting",
    ]

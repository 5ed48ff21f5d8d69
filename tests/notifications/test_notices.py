"""A stored booking notification read typed (notifications.notices): a well-formed payload
reads as written; a value of the wrong type reads as absent and is logged, so the row still
fans out, its emails are built from the rest, and a reminder never stops the worker."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, OutboxMessage, Reminder
from slotwise.notifications import reminders
from slotwise.notifications.notices import Person, info_as_stored, people, read_notice
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_emails_reminders import (
    GUEST,
    ORGANIZER,
    BookingStory,
    configuration,
    settled,
)
from tests.support.delivery import FAST
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)

FRIEND = "friend@example.com"
CONFIG_ID = str(uuid.uuid4())


def payload(story: BookingStory, **info: Any) -> dict[str, Any]:
    return {
        "booking_id": story.booking_id,
        "booking_ref": story.ref,
        "configuration_id": story.config_id,
        "object": "booking",
        "booking_info": story.info(**info),
    }


def test_a_well_formed_payload_reads_as_written(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    story = BookingStory(db, CONFIG_ID, 1_900_000_000)
    with caplog.at_level(logging.WARNING, "slotwise.notifications"):
        notice = read_notice(payload(story, old_start_time=1_899_990_000, cancellation_reason="x"))
    assert caplog.records == []
    assert (notice.booking_id, notice.booking_ref) == (story.booking_id, story.ref)
    assert notice.configuration_id == CONFIG_ID
    info = notice.booking_info
    assert (info.start_time, info.end_time) == (story.start, story.end)
    assert (info.title, info.guest_timezone, info.old_start_time) == (
        "Intro call",
        "America/New_York",
        1_899_990_000,
    )
    who = people(info)
    assert who.organizer == Person(ORGANIZER, "Hosting Person")
    assert who.guests == [Person(GUEST, "Guest Person"), Person(FRIEND, "")]
    assert who.hosts == []


def test_a_wrong_type_reads_as_absent_and_is_logged(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    story = BookingStory(db, CONFIG_ID, 1_900_000_000)
    stored = payload(
        story,
        start_time="soon",
        title=5,
        guest_timezone=["Europe/Paris"],
        participants=[
            None,
            "someone",
            {"email": ORGANIZER, "name": None},
            {"email": GUEST, "name": 7},
            {"email": 3},
        ],
    )
    with caplog.at_level(logging.WARNING, "slotwise.notifications"):
        info = read_notice(stored).booking_info
    assert (info.start_time, info.end_time, info.title, info.guest_timezone) == (
        0,
        story.end,
        "",
        None,
    )
    who = people(info)
    assert who.organizer == Person(ORGANIZER, "Hosting Person")  # organizer_name still read
    assert who.guests == [Person(GUEST, "")]
    logged = [r.getMessage() for r in caplog.records]
    assert all(m.startswith(f"booking notification {story.booking_id}: ") for m in logged)
    assert any("start_time is a str" in m for m in logged)
    assert any("2 participant(s) not an object" in m for m in logged)
    # The stored row is what webhooks deliver: untouched.
    assert info_as_stored(stored)["start_time"] == "soon"


def test_what_the_booking_service_records_reads_with_nothing_absent(
    api: httpx.Client, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The writer (bookings.payloads) and the reader agree: each booking.* row of a booking's
    life reads without a warning, with the values the booking has."""
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        event_booking={"title": "Intro call", "timezone": "Europe/Berlin"},
    )
    config = create_config(api, grant_id, body)
    start = future_hour(2, 10)
    created = book(api, config["id"], start, timezone="America/New_York")
    assert created.status_code == 200, created.text
    booking_id = created.json()["data"]["booking_id"]
    where = {"configuration_id": config["id"]}
    moved = api.patch(
        f"/v3/scheduling/bookings/{booking_id}",
        json={"start_time": start + HOUR, "end_time": start + HOUR + 1800},
        params=where,
    )
    assert moved.status_code == 200, moved.text
    gone = api.request(
        "DELETE",
        f"/v3/scheduling/bookings/{booking_id}",
        json={"cancellation_reason": "ill"},
        params=where,
    )
    assert gone.status_code == 200, gone.text
    with db.session(write=False) as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.trigger.like("booking.%"))
            .order_by(OutboxMessage.id)
        ).all()
        with caplog.at_level(logging.WARNING, "slotwise.notifications"):
            notices = {row.trigger: read_notice(row.payload) for row in rows}
    assert caplog.records == []
    assert list(notices) == ["booking.created", "booking.rescheduled", "booking.cancelled"]
    for notice in notices.values():
        assert (notice.booking_id, notice.configuration_id) == (booking_id, config["id"])
        info = notice.booking_info
        assert (info.title, info.organizer_timezone) == ("Intro call", "Europe/Berlin")
        assert info.guest_timezone == "America/New_York"
        who = people(info)
        assert who.organizer.email == "ada@example.com"
        assert who.guests == [Person("guest@example.com", "Guest")]
    assert notices["booking.created"].booking_info.start_time == start
    moved_info = notices["booking.rescheduled"].booking_info
    assert (moved_info.start_time, moved_info.old_start_time) == (start + HOUR, start)
    assert notices["booking.cancelled"].booking_info.cancellation_reason == "ill"


@pytest.mark.parametrize("stored", [["not", "an", "object"], {"booking_info": ["x"]}, None])
def test_a_payload_that_is_not_an_object_reads_as_empty(stored: Any) -> None:
    notice = read_notice(stored)
    assert (notice.booking_id, notice.booking_info.start_time) == ("", 0)
    assert people(notice.booking_info).guests == []
    assert info_as_stored(stored) == {}


def test_a_row_with_wrong_types_still_fans_out_and_emails_the_rest(
    db: Database, mail_settings: Settings, smtp: SmtpServer, run_worker: Callable[..., None]
) -> None:
    """Before the typed reading, a participant that was not an object made the row's emails
    unbuildable; now it is dropped, and the unreadable title is the default one."""
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    story.emit(
        "booking.created",
        title=["Intro call"],
        participants=[
            "someone",
            {"email": ORGANIZER, "name": "Hosting Person"},
            {"email": GUEST, "name": "Guest Person"},
        ],
    )
    run_worker(lambda: len(smtp.mailbox.messages) >= 2 and settled(db), settings_=mail_settings)
    subjects = sorted(str(m["Subject"]) for _, m in smtp.mailbox.messages)
    assert subjects == ["Booking confirmed: Booking", "New booking: Booking with Guest Person"]
    with db.session(write=False) as session:
        assert {d.status for d in session.scalars(select(Delivery))} == {"delivered"}


def test_a_reminder_with_an_unreadable_start_is_skipped_and_the_others_fire(
    db: Database, settings: Settings, frozen_clock: int
) -> None:
    """Its start read outside the firing's savepoint once stopped every pass of the loop."""
    now = frozen_clock

    def reminder(start: Any) -> str:
        story = BookingStory(db, str(uuid.uuid4()), now + 60)
        with db.session() as session:
            session.add(
                Reminder(
                    id=str(uuid.uuid4()),
                    booking_id=story.booking_id,
                    configuration_id=story.config_id,
                    kind="webhook",
                    recipient="all",
                    payload=payload(story, start_time=start),
                    minutes_before_event=5,
                    due_at=now - 1,
                    status="pending",
                    created_at=now - 600,
                )
            )
        return story.booking_id

    bad, good = reminder("soon"), reminder(now + 60)
    assert reminders.fire_due(db, settings, FAST, now_fn=lambda: now) == 2
    with db.session(write=False) as session:
        status = {r.booking_id: r.status for r in session.scalars(select(Reminder))}
        [fired] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.trigger == "booking.reminder")
        ).all()
    assert (status[bad], status[good]) == ("skipped", "sent")
    assert fired.payload["booking_id"] == good
    assert fired.payload["booking_info"]["time_until_event"] == 60

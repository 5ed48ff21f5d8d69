"""Booking emails in the reader's language, over real SMTP: the guest side in the booking's
`email_language`, the organizer in the configuration's organizer language; strings from the
catalogs, dates from Babel's CLDR data."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage as Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.notifications import booking_emails, email
from slotwise.notifications.notices import read_notice
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_emails_reminders import GUEST, ORGANIZER, BookingStory, configuration
from tests.support.waiting import HTTP_TIMEOUT

FRIEND = "friend@example.com"

# What each language says, per trigger, to the guest side and to the organizer.
EXPECTED: dict[str, dict[str, Any]] = {
    "de": {
        "created": ("Buchung bestätigt: Intro call", "Ihre Buchung ist bestätigt."),
        "organizer": ("Neue Buchung: Intro call mit Guest Person", "Guest Person hat Intro call"),
        "links": "Verschieben: https://x/r/",
        "rescheduled": ("Buchung verschoben: Intro call", "Neue Zeit: "),
        "cancelled": ("Buchung storniert: Intro call", "Grund: Krankheit"),
    },
    "fr": {
        "created": ("Réservation confirmée : Intro call", "Votre réservation est confirmée."),
        "organizer": (
            "Nouvelle réservation : Intro call avec Guest Person",
            "Guest Person a réservé Intro call.",
        ),
        "links": "Déplacer : https://x/r/",
        "rescheduled": ("Réservation déplacée : Intro call", "Nouvel horaire : "),
        "cancelled": ("Réservation annulée : Intro call", "Motif : Krankheit"),
    },
    "es": {
        "created": ("Reserva confirmada: Intro call", "Su reserva está confirmada."),
        "organizer": (
            "Nueva reserva: Intro call con Guest Person",
            "Guest Person ha reservado Intro call.",
        ),
        "links": "Cambiar la hora: https://x/r/",
        "rescheduled": ("Reserva cambiada de hora: Intro call", "Nueva hora: "),
        "cancelled": ("Reserva cancelada: Intro call", "Motivo: Krankheit"),
    },
}


def text_of(message: Message) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def to(messages: list[tuple[list[str], Message]], address: str) -> Message:
    [message] = [m for rcpt, m in messages if rcpt == [address]]
    return message


def full_date(ts: int, zone: str, locale: str) -> str:
    return format_date(datetime.fromtimestamp(ts, ZoneInfo(zone)), "full", locale=locale)


@pytest.mark.parametrize("guest_language", ["de", "fr", "es"])
def test_guest_emails_in_the_booking_language_organizer_in_theirs(
    db: Database,
    mail_settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
    guest_language: str,
) -> None:
    host_language = {"de": "fr", "fr": "es", "es": "de"}[guest_language]
    words, host_words = EXPECTED[guest_language], EXPECTED[host_language]
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    languages = {"guest_language": guest_language, "host_language": host_language}

    story.emit("booking.created", **languages)
    run_worker(lambda: len(smtp.mailbox.messages) >= 3, settings_=mail_settings)
    created = smtp.mailbox.wait_for(3)
    for address in (GUEST, FRIEND):  # the additional guest reads the guest's language
        guest = to(created, address)
        assert guest["Subject"] == words["created"][0]
        assert words["created"][1] in text_of(guest)
        assert words["links"] + story.ref in text_of(guest)
        assert full_date(story.start, "America/New_York", guest_language) in text_of(guest)
    organizer = to(created, ORGANIZER)
    assert organizer["Subject"] == host_words["organizer"][0]
    assert host_words["organizer"][1] in text_of(organizer)
    assert full_date(story.start, "Europe/Paris", host_language) in text_of(organizer)

    old = {"old_start_time": story.start, "old_end_time": story.end}
    story.start, story.end = story.start + 86400, story.end + 86400
    story.emit("booking.rescheduled", **old, **languages)
    run_worker(lambda: len(smtp.mailbox.messages) >= 6, settings_=mail_settings)
    moved = smtp.mailbox.wait_for(6)[3:]
    assert to(moved, GUEST)["Subject"] == words["rescheduled"][0]
    assert words["rescheduled"][1] in text_of(to(moved, GUEST))
    # The new time and the old one, both written in the guest's language.
    for ts in (story.start, story.start - 86400):
        assert full_date(ts, "America/New_York", guest_language) in text_of(to(moved, GUEST))
    assert to(moved, ORGANIZER)["Subject"] == host_words["rescheduled"][0]

    story.emit("booking.cancelled", cancellation_reason="Krankheit", **languages)
    run_worker(lambda: len(smtp.mailbox.messages) >= 9, settings_=mail_settings)
    cancelled = smtp.mailbox.wait_for(9)[6:]
    assert to(cancelled, GUEST)["Subject"] == words["cancelled"][0]
    assert words["cancelled"][1] in text_of(to(cancelled, GUEST))
    assert to(cancelled, ORGANIZER)["Subject"] == host_words["cancelled"][0]


def test_organizer_confirmation_request_in_the_organizer_language(
    db: Database, mail_settings: Settings, smtp: SmtpServer, run_worker: Callable[..., None]
) -> None:
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    story.emit("booking.pending", guest_language="en", host_language="de")
    run_worker(lambda: len(smtp.mailbox.messages) >= 1, settings_=mail_settings)
    [(rcpt, message)] = smtp.mailbox.wait_for(1)
    assert rcpt == [ORGANIZER]
    assert message["Subject"] == "Buchungsanfrage: Intro call mit Guest Person"
    text = text_of(message)
    assert "Guest Person möchte Intro call buchen." in text
    assert "\nBestätigen: " in text and "?action=confirm" in text
    assert "\nAblehnen: " in text and "?action=decline" in text
    assert full_date(story.start, "Europe/Paris", "de") in text


def test_a_language_without_a_catalog_reads_english_with_its_own_dates(
    db: Database, mail_settings: Settings, smtp: SmtpServer, run_worker: Callable[..., None]
) -> None:
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    story.emit("booking.created", guest_language="pt-BR", host_language="xx-unknown")
    run_worker(lambda: len(smtp.mailbox.messages) >= 3, settings_=mail_settings)
    created = smtp.mailbox.wait_for(3)
    guest = to(created, GUEST)
    assert guest["Subject"] == "Booking confirmed: Intro call"
    assert full_date(story.start, "America/New_York", "pt_BR") in text_of(guest)
    assert to(created, ORGANIZER)["Subject"] == "New booking: Intro call with Guest Person"


@pytest.mark.parametrize(
    ("language", "subject", "weekday"),
    [("de", "Erinnerung: Intro call", "de"), ("fr", "Rappel : Intro call", "fr")],
)
def test_reminders_in_the_reader_language(
    db: Database,
    mail_settings: Settings,
    smtp: SmtpServer,
    language: str,
    subject: str,
    weekday: str,
) -> None:
    story = BookingStory(db, str(uuid.uuid4()), clock.now() + 86400)
    payload = read_notice(
        {
            "booking_id": story.booking_id,
            "booking_info": story.info(guest_language=language, host_language="es"),
        }
    )
    composed = booking_emails.reminder_emails(payload, "all", None, mail_settings)
    for message in composed:
        assert email.send(mail_settings, message, timeout=HTTP_TIMEOUT).success
    received = smtp.mailbox.wait_for(len(composed))
    assert to(received, GUEST)["Subject"] == subject
    assert full_date(story.start, "America/New_York", weekday) in text_of(to(received, GUEST))
    assert to(received, ORGANIZER)["Subject"] == "Recordatorio: Intro call"
    # A configured subject is the organizer's own words: sent as written, in any language.
    [own] = booking_emails.reminder_emails(payload, "guest", "See you soon", mail_settings)[:1]
    assert "Subject: See you soon" in own["raw"]

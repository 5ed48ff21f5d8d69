"""The emails a booking change sends, each with an iCalendar invitation.

Built from the notification payload (booking_info carries organizer and guest) and the
configuration document, so the email says exactly what the webhook said.

| trigger             | to                                | METHOD  | event STATUS |
|---------------------|-----------------------------------|---------|--------------|
| booking.created     | guest side, organizer             | REQUEST | CONFIRMED    |
| booking.pending     | organizer (confirm/decline links) | REQUEST | TENTATIVE    |
| booking.rescheduled | guest side, organizer             | REQUEST | CONFIRMED    |
| booking.cancelled   | guest side, organizer             | CANCEL  | CANCELLED    |

The guest side is the guest and the additional guests (participants listed after the guest).
UID is stable per booking; SEQUENCE rises with every change (the caller supplies it).

Times are written in the reader's language: the guest's `email_language`, the organizer's
`host_language` (a v2 page's `locale`), through Babel's CLDR data; English,
and any language Babel does not know, keep the plain English form. The strings are English.
`event_booking.notify_participants: false` (a v2 page's `calendar_invite_to_guests: false`)
sends the guest side its emails without the invitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from slotwise.availability import AvailabilityInputError, zones
from slotwise.config import Settings
from slotwise.documents import EventBooking, Scheduler
from slotwise.links import HostedLinks
from slotwise.notifications import email

EMAIL_TRIGGERS = ("booking.created", "booking.pending", "booking.rescheduled", "booking.cancelled")


@dataclass(frozen=True)
class People:
    organizer: dict[str, str]
    guests: list[dict[str, str]]  # the guest first, then additional guests
    hosts: list[dict[str, str]]  # other booked hosts (not the organizer)


def people(info: dict[str, Any]) -> People:
    participants = [p for p in info.get("participants") or [] if p and p.get("email")]
    organizer_email = info.get("organizer_email") or (
        participants[0]["email"] if participants else ""
    )
    organizer = {"email": organizer_email, "name": info.get("organizer_name") or ""}
    guest_email = info.get("guest_email")
    emails = [p["email"] for p in participants]
    if guest_email and guest_email in emails:
        at = emails.index(guest_email)
    else:
        at = len(participants) - 1 if len(participants) > 1 else len(participants)
    guests = [{"email": p["email"], "name": p.get("name") or ""} for p in participants[at:]]
    if guest_email and not guests:
        guests = [{"email": guest_email, "name": info.get("guest_name") or ""}]
    hosts = [
        {"email": p["email"], "name": p.get("name") or ""}
        for p in participants[:at]
        if p["email"] != organizer_email
    ]
    return People(organizer, guests, hosts)


def uid_for(booking_id: str) -> str:
    return f"booking-{booking_id}@slotwise"


def ics(
    trigger: str, payload: dict[str, Any], sequence: int, settings: Settings, now: int
) -> tuple[str, str]:
    """(iCalendar text, METHOD) for the booking in `payload`."""
    info = payload.get("booking_info") or {}
    who = people(info)
    method = "CANCEL" if trigger == "booking.cancelled" else "REQUEST"
    status = {"booking.cancelled": "CANCELLED", "booking.pending": "TENTATIVE"}.get(
        trigger, "CONFIRMED"
    )
    cal = Calendar()
    cal.add("prodid", "-//Slotwise//Scheduling//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = IcsEvent()
    event.add("uid", uid_for(str(payload.get("booking_id"))))
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.fromtimestamp(now, UTC))
    event.add("dtstart", datetime.fromtimestamp(int(info.get("start_time") or 0), UTC))
    event.add("dtend", datetime.fromtimestamp(int(info.get("end_time") or 0), UTC))
    event.add("summary", info.get("title") or "Booking")
    if info.get("event_description"):
        event.add("description", info["event_description"])
    if info.get("location"):
        event.add("location", info["location"])
    event.add("status", status)
    organizer = vCalAddress(f"mailto:{who.organizer['email']}")
    if who.organizer["name"]:
        organizer.params["cn"] = vText(who.organizer["name"])
    event.add("organizer", organizer)
    for person in [*who.hosts, *who.guests]:
        attendee = vCalAddress(f"mailto:{person['email']}")
        if person["name"]:
            attendee.params["cn"] = vText(person["name"])
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical().decode(), method


def _locale(language: Any) -> Locale | None:
    """The CLDR locale of a language tag (`de`, `pt-BR`), None for English or unknown ones."""
    if not isinstance(language, str) or not language or language.lower().startswith("en"):
        return None
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _when(info: dict[str, Any], zone: str | None, language: Any = None) -> str:
    try:
        tz = zones.zone(zone)
    except AvailabilityInputError:
        tz = zones.zone("UTC")
    start = datetime.fromtimestamp(int(info.get("start_time") or 0), tz)
    end = datetime.fromtimestamp(int(info.get("end_time") or 0), tz)
    locale = _locale(language)
    if locale is None:
        return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({tz.key})"
    day = format_date(start, "full", locale=locale)
    span = (
        f"{format_time(start, 'short', locale=locale)}–{format_time(end, 'short', locale=locale)}"
    )
    return f"{day}, {span} ({tz.key})"


def _with_query(url: str, **params: str) -> str:
    joiner = "&" if "?" in url else "?"
    return url + joiner + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def confirmation_links(
    payload: dict[str, Any], scheduler: Scheduler, settings: Settings
) -> tuple[str, str]:
    """(confirm, decline) links for a pending booking.

    The links are booking_info.host_confirmation_url (scheduler.organizer_confirmation_url
    with ":booking_ref" filled in, else Slotwise's own organizer page,
    {public_url}/scheduling/organizer-confirmation/{ref}) plus ?action=confirm|decline.
    """
    # host_confirmation_url carries the organizer's ref; payload["booking_ref"] is the
    # guest's. Rows written before the two were split only have the latter, then the
    # organizer's (see migration 0006_secguest).
    host_url = (payload.get("booking_info") or {}).get("host_confirmation_url")
    ref = str(payload.get("booking_ref") or "")
    template = scheduler.organizer_confirmation_url
    if isinstance(host_url, str) and host_url:
        base = host_url
    else:
        built = HostedLinks.from_settings(settings).organizer_confirmation(template, ref)
        base = built or ""
    return _with_query(base, action="confirm"), _with_query(base, action="decline")


def compose_all(
    trigger: str,
    payload: dict[str, Any],
    event_booking: EventBooking,
    scheduler: Scheduler,
    sequence: int,
    settings: Settings,
    now: int,
) -> list[dict[str, Any]]:
    """Every email `trigger` sends: one composed message per recipient."""
    if trigger not in EMAIL_TRIGGERS:
        return []
    info = payload.get("booking_info") or {}
    who = people(info)
    title = info.get("title") or "Booking"
    calendar, method = ics(trigger, payload, sequence, settings, now)
    guest_zone = info.get("guest_timezone") or info.get("organizer_timezone")
    host_zone = info.get("organizer_timezone")
    guest_language = info.get("guest_language")
    host_language = info.get("host_language")
    invite_guests = event_booking.notify_participants
    template = scheduler.email_template.booking_confirmed
    links = []
    for label, key in (
        ("Reschedule", "participant_rescheduling_url"),
        ("Cancel", "participant_cancellation_url"),
    ):
        if info.get(key):
            links.append(f"{label}: {info[key]}")
    guest_links = ("\n\n" + "\n".join(links)) if links else ""
    guest_name = who.guests[0]["name"] or who.guests[0]["email"] if who.guests else "a guest"
    messages: list[tuple[list[str], str, str]] = []
    organizer = [who.organizer["email"]] if who.organizer["email"] else []
    guests = [g["email"] for g in who.guests]
    if trigger == "booking.created":
        subject = template.title or f"Booking confirmed: {title}"
        intro = template.body or "Your booking is confirmed."
        messages.append(
            (
                guests,
                subject,
                f"{intro}\n\n{title}\n{_when(info, guest_zone, guest_language)}{guest_links}",
            )
        )
        messages.append(
            (
                organizer,
                f"New booking: {title} with {guest_name}",
                f"{guest_name} booked {title}.\n\n{_when(info, host_zone, host_language)}",
            )
        )
    elif trigger == "booking.pending":
        confirm, decline = confirmation_links(payload, scheduler, settings)
        messages.append(
            (
                organizer,
                f"Booking request: {title} with {guest_name}",
                f"{guest_name} asked to book {title}.\n\n"
                f"{_when(info, host_zone, host_language)}\n\n"
                f"Confirm: {confirm}\nDecline: {decline}",
            )
        )
    elif trigger == "booking.rescheduled":
        old = {"start_time": info.get("old_start_time"), "end_time": info.get("old_end_time")}
        for to, zone, lang, extra in (
            (guests, guest_zone, guest_language, guest_links),
            (organizer, host_zone, host_language, ""),
        ):
            messages.append(
                (
                    to,
                    f"Booking rescheduled: {title}",
                    f"{title} has moved.\n\nNew time: {_when(info, zone, lang)}\n"
                    f"Previous time: {_when(old, zone, lang)}{extra}",
                )
            )
    else:  # booking.cancelled
        reason = info.get("cancellation_reason") or ""
        why = f"\nReason: {reason}" if reason else ""
        for to, zone, lang in (
            (guests, guest_zone, guest_language),
            (organizer, host_zone, host_language),
        ):
            messages.append(
                (
                    to,
                    f"Booking cancelled: {title}",
                    f"{title} was cancelled.{why}\n\n{_when(info, zone, lang)}",
                )
            )
    composed = []
    for recipients, subject, text in messages:
        invite = calendar if invite_guests or recipients is not guests else None
        for address in recipients:
            composed.append(
                email.compose(settings, [address], subject, text, ics=invite, ics_method=method)
            )
    return composed


def reminder_emails(
    payload: dict[str, Any], recipient: str, subject: str | None, settings: Settings
) -> list[dict[str, Any]]:
    """Reminder emails to all | host | guest (hosts are the organizer and other booked hosts)."""
    info = payload.get("booking_info") or {}
    who = people(info)
    title = info.get("title") or "Booking"
    hosts = [who.organizer, *who.hosts] if who.organizer["email"] else list(who.hosts)
    targets = {"host": hosts, "guest": who.guests}.get(recipient, [*hosts, *who.guests])
    composed = []
    for person in targets:
        is_host = person in hosts
        zone = info.get("organizer_timezone") if is_host else info.get("guest_timezone")
        language = info.get("host_language" if is_host else "guest_language")
        when = _when(info, zone or info.get("organizer_timezone"), language)
        text = f"Reminder: {title}\n\n{when}"
        composed.append(
            email.compose(settings, [person["email"]], subject or f"Reminder: {title}", text)
        )
    return composed

"""The emails a booking change sends, each with an iCalendar invitation.

Built from the notification payload, typed (`notifications.notices`: booking_info carries
organizer and guest), and the configuration document, so the email says exactly what the
webhook said.

| trigger             | to                                | METHOD  | event STATUS |
|---------------------|-----------------------------------|---------|--------------|
| booking.created     | guest side, organizer             | REQUEST | CONFIRMED    |
| booking.pending     | organizer (confirm/decline links) | REQUEST | TENTATIVE    |
| booking.rescheduled | guest side, organizer             | REQUEST | CONFIRMED    |
| booking.cancelled   | guest side, organizer             | CANCEL  | CANCELLED    |

The guest side is the guest and the additional guests (participants listed after the guest).
UID is stable per booking; SEQUENCE rises with every change (the caller supplies it).

Each email is written in its reader's language: the guest side's `email_language`, the
organizer's `host_language` (a v2 page's `locale`). The strings come from that language's
catalog (English for a language without one, see slotwise.i18n); the times are written in
the tag's own locale whenever Babel knows it, so a `pt-BR` reader gets English text around a
Portuguese date, as before there were catalogs.
`event_booking.notify_participants: false` (a v2 page's `calendar_invite_to_guests: false`)
sends the guest side its emails without the invitation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from slotwise.availability import AvailabilityInputError, zones
from slotwise.config import Settings
from slotwise.documents import ConfirmedEmail, EventBooking, Scheduler
from slotwise.i18n import formats
from slotwise.i18n.languages import Language, for_tag
from slotwise.links import HostedLinks
from slotwise.notifications import email
from slotwise.notifications.notices import BookingInfo, BookingNotice, People, people

EMAIL_TRIGGERS = ("booking.created", "booking.pending", "booking.rescheduled", "booking.cancelled")


def uid_for(booking_id: str) -> str:
    return f"booking-{booking_id}@slotwise"


def ics(
    trigger: str, notice: BookingNotice, sequence: int, settings: Settings, now: int
) -> tuple[str, str]:
    """(iCalendar text, METHOD) for the booking in `notice`."""
    info = notice.booking_info
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
    event.add("uid", uid_for(notice.booking_id))
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.fromtimestamp(now, UTC))
    event.add("dtstart", datetime.fromtimestamp(info.start_time, UTC))
    event.add("dtend", datetime.fromtimestamp(info.end_time, UTC))
    event.add("summary", info.title or "Booking")
    if info.event_description:
        event.add("description", info.event_description)
    if info.location:
        event.add("location", info.location)
    event.add("status", status)
    organizer = vCalAddress(f"mailto:{who.organizer.email}")
    if who.organizer.name:
        organizer.params["cn"] = vText(who.organizer.name)
    event.add("organizer", organizer)
    for person in [*who.hosts, *who.guests]:
        attendee = vCalAddress(f"mailto:{person.email}")
        if person.name:
            attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical().decode(), method


def _when(span: tuple[int, int], zone: str | None, language: Language) -> str:
    try:
        tz = zones.zone(zone)
    except AvailabilityInputError:
        tz = zones.zone("UTC")
    start = datetime.fromtimestamp(span[0], tz)
    end = datetime.fromtimestamp(span[1], tz)
    return f"{formats.span_label(start, end, language)} ({tz.key})"


def _with_query(url: str, **params: str) -> str:
    joiner = "&" if "?" in url else "?"
    return url + joiner + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def confirmation_links(
    notice: BookingNotice, scheduler: Scheduler, settings: Settings
) -> tuple[str, str]:
    """(confirm, decline) links for a pending booking.

    The links are booking_info.host_confirmation_url (scheduler.organizer_confirmation_url
    with ":booking_ref" filled in, else Slotwise's own organizer page,
    {public_url}/scheduling/organizer-confirmation/{ref}) plus ?action=confirm|decline.
    """
    # host_confirmation_url carries the organizer's ref; the payload's booking_ref is the
    # guest's. Rows written before the two were split only have the latter, then the
    # organizer's (see migration 0006_secguest).
    host_url = notice.booking_info.host_confirmation_url
    template = scheduler.organizer_confirmation_url
    if host_url:
        base = host_url
    else:
        links = HostedLinks.from_settings(settings)
        built = links.organizer_confirmation(template, notice.booking_ref)
        base = built or ""
    return _with_query(base, action="confirm"), _with_query(base, action="decline")


def _guest_name(who: People, language: Language) -> str:
    if not who.guests:
        return language.gettext("a guest")
    return who.guests[0].name or who.guests[0].email


def _guest_links(info: BookingInfo, language: Language) -> str:
    """The guest's reschedule and cancel links, as lines after the text (or nothing)."""
    lines = []
    for label, url in (
        (language.gettext("Reschedule: %(url)s"), info.participant_rescheduling_url),
        (language.gettext("Cancel: %(url)s"), info.participant_cancellation_url),
    ):
        if url:
            lines.append(label % {"url": url})
    return ("\n\n" + "\n".join(lines)) if lines else ""


def _title(info: BookingInfo, language: Language) -> str:
    return info.title or language.gettext("Booking")


def _span(info: BookingInfo) -> tuple[int, int]:
    return info.start_time, info.end_time


def _guest_message(
    trigger: str, info: BookingInfo, template: ConfirmedEmail, language: Language
) -> tuple[str, str]:
    """(subject, text) of what the guest side reads about `trigger` (not booking.pending)."""
    _ = language.gettext
    title = _title(info, language)
    zone = info.guest_timezone or info.organizer_timezone
    links = _guest_links(info, language)
    if trigger == "booking.created":
        # The configuration's own subject and intro are the organizer's words, sent as written.
        subject = template.title or _("Booking confirmed: %(title)s") % {"title": title}
        intro = template.body or _("Your booking is confirmed.")
        return subject, f"{intro}\n\n{title}\n{_when(_span(info), zone, language)}{links}"
    if trigger == "booking.rescheduled":
        return _moved(info, zone, language, links)
    return _cancelled(info, zone, language)


def _organizer_message(
    trigger: str,
    notice: BookingNotice,
    scheduler: Scheduler,
    settings: Settings,
    language: Language,
) -> tuple[str, str]:
    """(subject, text) of what the organizer reads about `trigger`."""
    _ = language.gettext
    info = notice.booking_info
    names = {"title": _title(info, language), "guest": _guest_name(people(info), language)}
    zone = info.organizer_timezone
    when = _when(_span(info), zone, language)
    if trigger == "booking.created":
        subject = _("New booking: %(title)s with %(guest)s") % names
        return subject, _("%(guest)s booked %(title)s.") % names + f"\n\n{when}"
    if trigger == "booking.pending":
        confirm, decline = confirmation_links(notice, scheduler, settings)
        subject = _("Booking request: %(title)s with %(guest)s") % names
        text = (
            _("%(guest)s asked to book %(title)s.") % names
            + f"\n\n{when}\n\n"
            + _("Confirm: %(url)s") % {"url": confirm}
            + "\n"
            + _("Decline: %(url)s") % {"url": decline}
        )
        return subject, text
    if trigger == "booking.rescheduled":
        return _moved(info, zone, language, "")
    return _cancelled(info, zone, language)


def _moved(info: BookingInfo, zone: str | None, language: Language, extra: str) -> tuple[str, str]:
    _ = language.gettext
    title = _title(info, language)
    old = (info.old_start_time, info.old_end_time)
    text = (
        _("%(title)s has moved.") % {"title": title}
        + "\n\n"
        + _("New time: %(when)s") % {"when": _when(_span(info), zone, language)}
        + "\n"
        + _("Previous time: %(when)s") % {"when": _when(old, zone, language)}
        + extra
    )
    return _("Booking rescheduled: %(title)s") % {"title": title}, text


def _cancelled(info: BookingInfo, zone: str | None, language: Language) -> tuple[str, str]:
    _ = language.gettext
    title = _title(info, language)
    reason = info.cancellation_reason
    why = "\n" + _("Reason: %(reason)s") % {"reason": reason} if reason else ""
    text = _("%(title)s was cancelled.") % {"title": title} + why
    text += f"\n\n{_when(_span(info), zone, language)}"
    return _("Booking cancelled: %(title)s") % {"title": title}, text


def compose_all(
    trigger: str,
    notice: BookingNotice,
    event_booking: EventBooking,
    scheduler: Scheduler,
    sequence: int,
    settings: Settings,
    now: int,
) -> list[dict[str, Any]]:
    """Every email `trigger` sends: one composed message per recipient."""
    if trigger not in EMAIL_TRIGGERS:
        return []
    info = notice.booking_info
    who = people(info)
    calendar, method = ics(trigger, notice, sequence, settings, now)
    template = scheduler.email_template.booking_confirmed
    composed = []
    if trigger != "booking.pending" and who.guests:
        subject, text = _guest_message(trigger, info, template, for_tag(info.guest_language))
        invite = calendar if event_booking.notify_participants else None
        for guest in who.guests:
            composed.append(
                email.compose(settings, [guest.email], subject, text, ics=invite, ics_method=method)
            )
    if who.organizer.email:
        language = for_tag(info.host_language)
        subject, text = _organizer_message(trigger, notice, scheduler, settings, language)
        composed.append(
            email.compose(
                settings, [who.organizer.email], subject, text, ics=calendar, ics_method=method
            )
        )
    return composed


def reminder_emails(
    notice: BookingNotice, recipient: str, subject: str | None, settings: Settings
) -> list[dict[str, Any]]:
    """Reminder emails to all | host | guest (hosts are the organizer and other booked hosts)."""
    info = notice.booking_info
    who = people(info)
    hosts = [who.organizer, *who.hosts] if who.organizer.email else list(who.hosts)
    targets = {"host": hosts, "guest": who.guests}.get(recipient, [*hosts, *who.guests])
    composed = []
    for person in targets:
        is_host = person in hosts
        zone = info.organizer_timezone if is_host else info.guest_timezone
        language = for_tag(info.host_language if is_host else info.guest_language)
        when = _when(_span(info), zone or info.organizer_timezone, language)
        # A reminder's configured subject is the organizer's words, sent as written.
        heading = language.gettext("Reminder: %(title)s") % {"title": _title(info, language)}
        composed.append(
            email.compose(settings, [person.email], subject or heading, f"{heading}\n\n{when}")
        )
    return composed

"""The public routes of a page (`/schedule/{slug}/…`): its time slots, booking, rescheduling,
confirming and cancelling by `edit_hash`. Never commits.

Everything goes through the v3 scheduling code with the page's configuration: the slots are
`compute_offer`'s, a booking is `bookings.service.create_booking` (lock, re-check, write event,
booking and outbox in one transaction), so page bookings fire the same webhooks, emails and
reminders and can never double-book. This module only translates the v2 wire format.

* A time slot names one host: the organizer for collective pages (with every account's email),
  else the first account in round-robin order who is free then.
* Booking a round-robin page books whoever is free for the slot, next in line first, whatever
  account the slot named: a guest cannot choose the host (the rotation decides).
* `replaces_booking_hash` moves that booking (same id, same `edit_hash`, same host), like v3's
  reschedule; the host must be free at the new time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings import service as bookings
from slotwise.bookings.salts import guest_salt
from slotwise.bookings.schemas import CancelBooking, DecideBooking, MoveBooking, NewBooking
from slotwise.db.models import Booking, Configuration, PageBooking, SchedulingPage
from slotwise.documents import read_document
from slotwise.errors import Conflict, InvalidRequest, NotFound, field_error
from slotwise.pages import repository
from slotwise.pages.stored import StoredBookingRules, read_page
from slotwise.scheduling.access import ORGANIZER, PUBLIC, Access
from slotwise.scheduling.checks import unix_seconds
from slotwise.scheduling.offer import DAY, Offer, compute_offer, is_expired
from slotwise.scheduling.service import Host
from slotwise.tokens.secrets import digest, new_secret
from slotwise.validation import check_email, check_line, check_zone, validate_model

MAX_NAME = 1024
MAX_GUESTS = 20
MS_THRESHOLD = 10**11
# v3 field names in errors from the shared booking code, as the v2 request calls them.
V2_FIELD_NAMES = (
    ("guest.email", "email"),
    ("guest.name", "name"),
    ("additional_fields", "additional_values"),
    ("additional_guests", "additional_emails"),
    ("start_time", "slot.start"),
    ("end_time", "slot.end"),
    ("email_language", "locale"),
)


@dataclass(frozen=True)
class PublicPage:
    page: SchedulingPage
    configuration: Configuration


def get_public_page(session: Session, slug: str) -> PublicPage:
    found = repository.page_by_slug(session, slug)
    if found is None:
        raise NotFound(f"no scheduling page with slug {slug!r}")
    return PublicPage(*found)


# Time slots ----------------------------------------------------------------------------------


def _slot_host(offer: Offer, round_robin: bool) -> Callable[[tuple[str, ...]], Host | None]:
    """For a slot's free emails, the host it names: the organizer, or the first free account
    in round-robin order."""
    organizer = next((h for h in offer.hosts if h.is_organizer), None)
    by_email = {h.email.lower(): h for h in offer.hosts}
    order = [e.lower() for e in offer.full_order]

    def pick(emails: tuple[str, ...]) -> Host | None:
        if not round_robin:
            return organizer
        free = {e.lower() for e in emails}
        return next((by_email.get(e) for e in order if e in free), None)

    return pick


def timeslots(session: Session, target: PublicPage, now: int) -> list[dict[str, Any]]:
    """The slots from now to the end of the last day `available_days_in_future` offers."""
    config = target.configuration
    document = read_document(config)
    days = document.scheduler.available_days_in_future or 14
    offer = compute_offer(session, config, now, now + (days + 1) * DAY, now=now)
    round_robin = document.is_round_robin
    host_of = _slot_host(offer, round_robin)
    out = []
    for slot in offer.result.slots:
        host = host_of(slot.emails)
        if host is None:
            continue
        out.append(
            {
                "account_id": host.grant.id,
                "calendar_id": host.booking_calendar_id,
                "host_name": host.name or host.grant.name or host.email,
                "emails": list(slot.emails) if not round_robin else [host.email],
                "start": slot.start,
                "end": slot.end,
            }
        )
    return out


# Booking -------------------------------------------------------------------------------------


def _v2_message(exc: InvalidRequest) -> InvalidRequest:
    for v3_name, v2_name in V2_FIELD_NAMES:
        if exc.message.startswith(v3_name):
            return InvalidRequest(v2_name + exc.message[len(v3_name) :])
    return exc


def _slot_time(field: str, value: Any) -> int:
    """Unix seconds; milliseconds too, which the Node v6 SDK sends for a slot it was given in
    seconds. No bookable second is above 10^11 (the year 5138), so the two cannot be confused.
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and value > MS_THRESHOLD:
        if value % 1000:
            raise field_error(field, "expected Unix seconds (or whole milliseconds)")
        value = value / 1000
    return unix_seconds(field, value)


def _slot(body: dict[str, Any]) -> tuple[int, int]:
    slot = body.get("slot")
    if not isinstance(slot, dict):
        raise field_error("slot", "is required ({start, end, account_id, calendar_id})")
    start = _slot_time("slot.start", slot.get("start"))
    end = _slot_time("slot.end", slot.get("end"))
    if end <= start:
        raise field_error("slot.end", "must be after slot.start")
    return start, end


def _guest(body: dict[str, Any], booking_rules: StoredBookingRules) -> dict[str, str]:
    email = check_email("email", body.get("email"))
    name = body.get("name")
    check_line("name", name)
    if name is None or (isinstance(name, str) and not name.strip()):
        if not booking_rules.name_field_hidden:
            raise field_error("name", "is required")
        name = email
    if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
        raise field_error("name", f"expected a string of at most {MAX_NAME} characters")
    return {"email": email.strip(), "name": name.strip()}


def _extra_guests(body: dict[str, Any], booking_rules: StoredBookingRules) -> list[dict[str, str]]:
    emails = body.get("additional_emails") or []
    if not isinstance(emails, list):
        raise field_error("additional_emails", "expected a list of email addresses")
    if emails and booking_rules.additional_guests_hidden:
        raise field_error("additional_emails", "this page does not take additional guests")
    if len(emails) > MAX_GUESTS:
        raise field_error("additional_emails", f"at most {MAX_GUESTS} guests")
    return [{"email": e} for e in emails]


def _locale(body: dict[str, Any]) -> str | None:
    locale = body.get("locale")
    if locale is not None and (not isinstance(locale, str) or len(locale) > 35):
        raise field_error("locale", "expected a language tag such as en or en-US")
    return locale


def _language(tag: str | None) -> str:
    """The booking's email language: a language tag's primary subtag (`de-AT` → `de`)."""
    return (tag or "en").strip().split("-")[0][:8] or "en"


def _v3_request(body: dict[str, Any], page: SchedulingPage) -> dict[str, Any]:
    """The v2 booking request as the v3 booking service takes it (v2 names in errors)."""
    page_config = read_page(page).config
    booking_rules = page_config.booking
    start, end = _slot(body)
    timezone = body.get("timezone")
    if timezone is not None:
        check_zone("timezone", timezone)
    locale = _locale(body)
    answers = body.get("additional_values")
    if answers is not None and not isinstance(answers, dict):
        raise field_error("additional_values", "expected an object")
    return {
        "start_time": start,
        "end_time": end,
        "guest": _guest(body, booking_rules),
        "timezone": timezone,
        # The guest's own language, else the page's language for guests, else the page's.
        "email_language": _language(locale or page_config.locale_for_guests or page_config.locale),
        "additional_guests": _extra_guests(body, booking_rules),
        "additional_fields": answers or {},
    }


def book(
    session: Session,
    target: PublicPage,
    body: dict[str, Any],
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """POST /schedule/{slug}/timeslots: a new booking, or a reschedule by its edit_hash."""
    page, config = target.page, target.configuration
    request = _v3_request(body, page)
    access = Access(config, PUBLIC)
    replaces = body.get("replaces_booking_hash")
    try:
        if replaces:
            return _reschedule(session, target, replaces, request)
        if is_expired(session, config, clock.now()):
            raise Conflict("page: this page has expired (expire_after) and takes no bookings")
        new = validate_model(NewBooking, request)
        booking, _event = bookings.create_booking(session, access, new)
    except InvalidRequest as exc:
        raise _v2_message(exc) from None
    booking.idempotency_key = idempotency_key
    edit_hash = new_secret("", 24)
    row = PageBooking(
        booking_id=booking.id,
        page_id=page.id,
        edit_hash_digest=digest(edit_hash),
        locale=_locale(body),
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return confirmation(row, booking, config, edit_hash)


def _reschedule(
    session: Session, target: PublicPage, edit_hash: Any, request: dict[str, Any]
) -> dict[str, Any]:
    row, booking = _booking_of_hash(session, target, edit_hash, "replaces_booking_hash")
    access = Access(target.configuration, PUBLIC)
    times = {"start_time": request["start_time"], "end_time": request["end_time"]}
    bookings.reschedule_booking(session, access, booking.id, validate_model(MoveBooking, times))
    return confirmation(row, booking, target.configuration, edit_hash)


def _booking_of_hash(
    session: Session, target: PublicPage, edit_hash: Any, field: str
) -> tuple[PageBooking, Booking]:
    if not isinstance(edit_hash, str) or not edit_hash or len(edit_hash) > 200:
        raise field_error(field, "expected a booking's edit_hash")
    row = repository.booking_of_edit_hash(session, target.page.id, digest(edit_hash))
    booking = session.get(Booking, row.booking_id) if row is not None else None
    if row is None or booking is None:
        raise NotFound("no booking of this page with that edit_hash")
    return row, booking


def confirm(session: Session, target: PublicPage, edit_hash: str) -> dict[str, Any]:
    """Accept a pending booking (the caller was checked to reach the page)."""
    row, booking = _booking_of_hash(session, target, edit_hash, "edit_hash")
    access = Access(target.configuration, ORGANIZER)
    decision = DecideBooking(salt=guest_salt(booking), status="confirmed")
    bookings.confirm_booking(session, access, booking.id, decision)
    return confirmation(row, booking, target.configuration, edit_hash)


def cancel(session: Session, target: PublicPage, edit_hash: str, body: dict[str, Any]) -> None:
    row, booking = _booking_of_hash(session, target, edit_hash, "edit_hash")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 10_000):
        raise field_error("reason", "expected a string of at most 10000 characters")
    access = Access(target.configuration, PUBLIC)
    cancel = validate_model(CancelBooking, {"cancellation_reason": reason})
    bookings.cancel_booking(session, access, booking.id, cancel)


def confirmation(
    row: PageBooking, booking: Booking, config: Configuration, edit_hash: str
) -> dict[str, Any]:
    """The v2 booking confirmation, every field the clients read."""
    event_booking = read_document(config).event_booking
    return {
        "id": row.id,
        "account_id": booking.organizer_grant_id,
        "calendar_id": booking.organizer_calendar_id,
        "calendar_event_id": booking.event_id,
        "edit_hash": edit_hash,
        "start_time": booking.start_ts,
        "end_time": booking.end_ts,
        "is_confirmed": booking.status == "booked",
        "location": event_booking.location or "",
        "title": booking.title,
        "recipient_email": booking.guest.get("email"),
        "recipient_name": booking.guest.get("name"),
        "recipient_locale": row.locale or "en",
        "recipient_tz": booking.guest_timezone or event_booking.timezone or "UTC",
        "additional_field_values": dict(booking.additional_fields or {}),
    }

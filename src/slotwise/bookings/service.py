"""Booking rules: create, confirm or reject a pending one, reschedule, cancel. Never commits.

Before the transaction, the caller syncs the hosts' remote calendars (`bookings.remote`), so
that no network call is made under the locks. Then every path that takes time follows the
same order inside the request's one transaction:
lock the people it may book (`locks.lock_participants`, fixed order), re-check the slot with
`scheduling.availability.compute_offer` (the function that lists the slots), then write the
event, the booking and the outbox rows. The commit at the request boundary releases the locks.

A slot is re-checked by asking for the availability of exactly [start, end): the engine anchors
its grid on free stretches, so a slot that is free for everyone concerned, aligned to
`round_to`, of the configured duration, and inside notice and horizon is offered by that window
whatever window the guest's client listed it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings import fields, locks, payloads, repository, titles
from slotwise.bookings.salts import guest_salt, seal_salt
from slotwise.capabilities import matches_hash, same_secret, secret_hash
from slotwise.db.models import Booking, Calendar, Configuration, Event
from slotwise.db.rows import insert_row
from slotwise.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    TimeslotUnavailable,
    field_error,
)
from slotwise.events.service import cancel_event, create_event, update_event
from slotwise.ids import encode_booking_ref, new_salt, new_uuid
from slotwise.notifications import record
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.access import Access
from slotwise.scheduling.availability import (
    compute_offer,
    duration_seconds,
    on_offered_grid,
    organizer_timezone,
)
from slotwise.scheduling.service import Host, hosts_of
from slotwise.scheduling.validation import check_timezone, is_round_robin, unix_seconds
from slotwise.validation import check_email, check_line, check_text

SOURCE = "/nylas/passthru"
CONFIRM_STATUSES = {"confirm": "booked", "confirmed": "booked"}
REJECT_STATUSES = {"cancel", "cancelled", "canceled"}


@dataclass(frozen=True)
class BookingRequest:
    start: int
    end: int
    guest: dict[str, str]
    participants: list[str] | None
    timezone: str | None
    email_language: str
    additional_guests: list[dict[str, Any]]
    additional_fields: dict[str, Any]


def _times(body: dict[str, Any]) -> tuple[int, int]:
    start = unix_seconds("start_time", body.get("start_time"))
    end = unix_seconds("end_time", body.get("end_time"))
    if end <= start:
        raise field_error("end_time", "must be after start_time")
    return start, end


# The longest name an event participant may have (the guests become participants).
MAX_NAME = 1024
# The cap on additional guests when the caller passes none (Settings.max_additional_guests).
MAX_ADDITIONAL_GUESTS = 10


def _scheduler(config: Configuration) -> dict[str, Any]:
    scheduler = config.document.get("scheduler")
    return scheduler if isinstance(scheduler, dict) else {}


def _check_additional_guests(
    raw: Any, config: Configuration, access: Access, most: int
) -> list[Any]:
    """The guest may only name additional guests the booking page would let them add."""
    if not isinstance(raw, list):
        raise field_error("additional_guests", "expected a list of {email, name}")
    if raw and access.is_guest and _scheduler(config).get("hide_additional_guests"):
        raise field_error("additional_guests", "this configuration takes no additional guests")
    if len(raw) > most:
        raise field_error("additional_guests", f"at most {most} additional guests")
    return raw


def parse_request(
    body: dict[str, Any],
    config: Configuration,
    query_timezone: str | None,
    access: Access,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> BookingRequest:
    start, end = _times(body)
    guest = body.get("guest")
    if not isinstance(guest, dict):
        raise field_error("guest", "is required ({email, name})")
    name = guest.get("name")
    if not isinstance(name, str) or not name.strip():
        raise field_error("guest.name", "is required")
    if len(name.strip()) > MAX_NAME:
        raise field_error("guest.name", f"expected at most {MAX_NAME} characters")
    check_line("guest.name", name)
    guest_out = {"email": check_email("guest.email", guest.get("email")), "name": name.strip()}
    participants = body.get("participants")
    emails: list[str] | None = None
    if participants is not None:
        if not isinstance(participants, list):
            raise field_error("participants", "expected a list of {email}")
        emails = []
        for i, p in enumerate(participants):
            value = p.get("email") if isinstance(p, dict) else p
            emails.append(check_email(f"participants[{i}].email", value))
        if not emails:
            emails = None
    extra_guests = []
    raw_guests = _check_additional_guests(
        body.get("additional_guests") or [], config, access, max_additional_guests
    )
    for i, g in enumerate(raw_guests):
        if not isinstance(g, dict):
            raise field_error(f"additional_guests[{i}]", "expected {email, name}")
        extra_name = g.get("name")
        if extra_name is not None and (
            not isinstance(extra_name, str) or len(extra_name) > MAX_NAME
        ):
            raise field_error(
                f"additional_guests[{i}].name",
                f"expected a string of at most {MAX_NAME} characters",
            )
        check_line(f"additional_guests[{i}].name", extra_name)
        address = check_email(f"additional_guests[{i}].email", g.get("email"))
        extra_guests.append({"email": address, "name": extra_name})
    timezone = body.get("timezone") or query_timezone
    if timezone is not None:
        check_timezone("timezone", timezone)
    language = body.get("email_language") or "en"
    if not isinstance(language, str) or len(language) > 8:
        raise field_error("email_language", "expected a language code such as en")
    check_line("email_language", language)
    definitions = (config.document.get("scheduler") or {}).get("additional_fields") or {}
    answers = fields.check_answers(definitions, body.get("additional_fields"))
    return BookingRequest(start, end, guest_out, emails, timezone, language, extra_guests, answers)


def check_request(
    body: dict[str, Any],
    config: Configuration,
    query_timezone: str | None,
    access: Access,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> None:
    """The checks a booking request must pass before anything is fetched or locked for it."""
    req = parse_request(body, config, query_timezone, access, max_additional_guests)
    _check_duration(config, req.start, req.end)
    if not on_offered_grid(config.document, req.start):
        raise TimeslotUnavailable("it is not on this configuration's slot grid")


def _check_duration(config: Configuration, start: int, end: int) -> None:
    if end - start != duration_seconds(config.document):
        minutes = duration_seconds(config.document) // 60
        raise TimeslotUnavailable(f"slots of this configuration last {minutes} minutes")


def _pick_hosts(
    session: Session, config: Configuration, wanted: list[str] | None
) -> tuple[list[Host], Host | None]:
    """(the hosts to lock and check, the organizer if fixed in advance)."""
    hosts = hosts_of(session, config.document)
    if not hosts:
        raise InvalidRequest("participants: no participant of this configuration can be booked")
    if is_round_robin(config.document):
        pool = [h for h in hosts if h.document.get("availability") and h.document.get("booking")]
        if wanted is not None:
            lowered = {e.lower() for e in wanted}
            unknown = lowered - {h.email.lower() for h in pool}
            if unknown:
                raise field_error(
                    "participants", f"not bookable in this configuration: {sorted(unknown)}"
                )
            pool = [h for h in pool if h.email.lower() in lowered]
        return pool, None
    organizer = next((h for h in hosts if h.is_organizer), None)
    if organizer is None:
        raise InvalidRequest("participants: the configuration's organizer has no grant")
    return hosts, organizer


def _calendar_of(host: Host) -> Calendar:
    calendar_id = host.booking_calendar_id
    calendar = next((c for c in host.calendars if c.id == calendar_id), None)
    if calendar is None:
        raise InvalidRequest(f"participants: {host.email} has no booking calendar")
    return calendar


def _stamps(config: Configuration, start: int, end: int, now: int) -> dict[str, str]:
    return {
        "source": "scheduler",
        "key5": config.id,
        "scheduler_last_start": str(start),
        "scheduler_last_end": str(end),
        "scheduler_updated_at": str(now),
    }


def _event_participants(
    config: Configuration, organizer: Host, hosts: list[Host], req: BookingRequest
) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    seen = {organizer.email.lower()}

    def add(email: str, name: Any) -> None:
        if email.lower() not in seen:
            seen.add(email.lower())
            people.append({"email": email, "name": name or ""})

    if not is_round_robin(config.document):
        for host in hosts:
            add(host.email, host.name)
    for p in config.document.get("participants") or []:
        if not (p.get("availability") or p.get("booking")):
            add(p["email"], p.get("name"))
    add(req.guest["email"], req.guest["name"])
    for g in req.additional_guests:
        add(g["email"], g.get("name"))
    return people


def _take_slot(
    session: Session,
    config: Configuration,
    hosts: list[Host],
    start: int,
    end: int,
    now: int,
    *,
    exclude_event_ids: tuple[str, ...] = (),
) -> tuple[list[Host], list[str]]:
    """Lock `hosts`, re-check [start, end); (hosts free for it, the round-robin order)."""
    if not on_offered_grid(config.document, start):
        raise TimeslotUnavailable("it is not on this configuration's slot grid")
    # Remote calendars were synced before this transaction (bookings.remote); the re-check
    # reads the mirror as stored and fetches nothing while the locks are held.
    locks.lock_participants(session, [h.grant.id for h in hosts])
    offer = compute_offer(
        session,
        config,
        start,
        end,
        now=now,
        exclude_event_ids=exclude_event_ids,
        hosts=hosts,
        exact=True,
        refresh=False,
    )
    slot = next((s for s in offer.result.slots if s.start == start and s.end == end), None)
    if slot is None:
        raise TimeslotUnavailable()
    free = {e.lower() for e in slot.emails}
    return [h for h in offer.hosts if h.email.lower() in free], offer.full_order


def create_booking(
    session: Session,
    access: Access,
    body: dict[str, Any],
    *,
    query_timezone: str | None = None,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> tuple[Booking, Event]:
    config = access.require_configuration()
    req = parse_request(body, config, query_timezone, access, max_additional_guests)
    _check_duration(config, req.start, req.end)
    now = clock.now()
    candidates, organizer = _pick_hosts(session, config, req.participants)
    free, order = _take_slot(session, config, candidates, req.start, req.end, now)
    if organizer is None:
        by_email = {h.email.lower(): h for h in free}
        first = next((by_email[e.lower()] for e in order if e.lower() in by_email), None)
        organizer = first or free[0]
        booked = [organizer]
    else:
        booked = candidates
    document = config.document
    event_booking = document.get("event_booking") or {}
    pending = event_booking.get("booking_type") == "organizer-confirmation"
    title = titles.booked_title(
        event_booking, req.guest, organizer.name or organizer.grant.name, organizer.email
    )
    calendar = _calendar_of(organizer)
    calendar_id = calendar.id
    booking_id = new_uuid()
    # The organizer's capability: a secret of its own, never the guest's salt (see capabilities).
    organizer_salt = new_salt() if pending else None
    event_body: dict[str, Any] = {
        "title": (payloads.PENDING_PREFIX + title) if pending else title,
        "description": event_booking.get("description"),
        "location": event_booking.get("location"),
        "busy": True,
        "when": {
            "start_time": req.start,
            "end_time": req.end,
            "start_timezone": organizer_timezone(document),
            "end_timezone": organizer_timezone(document),
        },
        "participants": _event_participants(config, organizer, booked, req),
        "metadata": _stamps(config, req.start, req.end, now),
    }
    if event_booking.get("conferencing"):
        event_body["conferencing"] = event_booking["conferencing"]
    event = create_event(session, organizer.grant, calendar, event_body)
    if is_round_robin(document):
        # Under the pool's locks: the booking's place in the rotation (bookings.repository).
        event.rotation_seq = repository.next_rotation_seq(session, config.id)
    booking = Booking(
        id=booking_id,
        configuration_id=config.id,
        event_id=event.id,
        organizer_grant_id=organizer.grant.id,
        organizer_calendar_id=calendar_id,
        organizer_email=organizer.email,
        organizer_name=organizer.name or organizer.grant.name,
        hosts=[organizer.email] + [h.email for h in booked if h is not organizer],
        status="pending" if pending else "booked",
        sealed_salt=seal_salt(new_salt()),
        organizer_secret_hash=secret_hash(organizer_salt) if organizer_salt else None,
        title=title,
        description=event_booking.get("description"),
        guest=req.guest,
        additional_guests=req.additional_guests,
        additional_fields=req.additional_fields,
        guest_timezone=req.timezone,
        email_language=req.email_language,
        start_ts=req.start,
        end_ts=req.end,
        created_at=now,
        updated_at=now,
    )
    insert_row(session, booking)
    if organizer_salt is not None:
        organizer_ref = encode_booking_ref(config.id, booking.id, organizer_salt)
        record(
            session,
            "booking.pending",
            payloads.pending_payload(booking, config, event, organizer_ref),
            source=SOURCE,
        )
    else:
        record(
            session,
            "booking.created",
            payloads.created_payload(booking, config, event),
            source=SOURCE,
        )
    return booking, event


def get_booking(session: Session, access: Access, booking_id: str) -> Booking:
    """The booking, if the caller's configuration (or API key) reaches it."""
    booking = repository.find_booking(session, booking_id)
    config = access.configuration
    if booking is None or (config is not None and booking.configuration_id != config.id):
        raise NotFound(f"booking {booking_id} not found")
    return booking


def _configuration_of(session: Session, booking: Booking) -> Configuration:
    config = scheduling_repository.find_configuration(session, booking.configuration_id)
    if config is None:
        raise NotFound(f"booking {booking.id} not found")
    return config


def _check_cancellation_notice(
    config: Configuration, booking: Booking, now: int, what: str
) -> None:
    notice = (config.document.get("scheduler") or {}).get("min_cancellation_notice") or 0
    if notice and booking.start_ts - now < int(notice) * 60:
        raise InvalidRequest(
            f"start_time: a booking can only be {what} at least {notice} minutes before it starts"
        )


def _may_decide(access: Access, booking: Booking, salt: str) -> bool:
    """Whether `salt` lets this caller confirm or decline: the organizer's secret does; the
    guest's salt only for the API key (whose holder reaches everything anyway, and whose
    create response carries the guest's booking_ref) or a face-checked organizer."""
    salt = salt.rstrip("=")
    if matches_hash(salt, booking.organizer_secret_hash):
        return True
    return not access.is_guest and same_secret(salt, guest_salt(booking))


def _check_guest_may(access: Access, config: Configuration, what: str) -> None:
    """A configuration that hides rescheduling or cancellation hides it from every guest
    (session or anonymous), not only from the page; the API key and organizer may."""
    option = f"hide_{what}_options"
    if access.is_guest and _scheduler(config).get(option):
        raise Forbidden(f"scheduler.{option}: guests cannot do this for this configuration")


def confirm_booking(
    session: Session, access: Access, booking_id: str, body: dict[str, Any]
) -> Booking:
    """PUT: the organizer accepts (`confirmed`/`confirm`) or rejects a pending booking."""
    booking = get_booking(session, access, booking_id)
    salt = body.get("salt")
    status = body.get("status")
    if not isinstance(salt, str) or not salt:
        raise field_error("salt", "is required")
    if status not in CONFIRM_STATUSES and status not in REJECT_STATUSES:
        raise field_error("status", "must be confirmed or cancelled")
    if not _may_decide(access, booking, salt):
        raise field_error("salt", "does not match this booking")
    config = _configuration_of(session, booking)
    event = repository.find_event(session, booking.event_id)
    now = clock.now()
    if status in CONFIRM_STATUSES:
        if not repository.change_status(
            session, booking, expected={"pending"}, values={"status": "booked", "updated_at": now}
        ):
            raise Conflict(f"status: the booking is {booking.status}, not pending")
        if event is not None:
            update_event(session, event, {"title": booking.title})
        record(
            session,
            "booking.created",
            payloads.created_payload(booking, config, event),
            source=SOURCE,
        )
        return booking
    reason = body.get("cancellation_reason") or ""
    if not isinstance(reason, str):
        raise field_error("cancellation_reason", "expected a string")
    check_text("cancellation_reason", reason)
    values = {"status": "cancelled", "cancellation_reason": reason, "updated_at": now}
    if not repository.change_status(session, booking, expected={"pending"}, values=values):
        raise Conflict(f"status: the booking is {booking.status}, not pending")
    if event is not None:
        cancel_event(session, event)
    record(
        session,
        "booking.cancelled",
        payloads.cancelled_payload(booking, config, event),
        source=SOURCE,
    )
    return booking


def reschedule_booking(
    session: Session, access: Access, booking_id: str, body: dict[str, Any]
) -> Booking:
    """PATCH: move a booking to another offered slot; same id, same host, same event."""
    booking = get_booking(session, access, booking_id)
    start, end = _times(body)
    config = _configuration_of(session, booking)
    _check_guest_may(access, config, "rescheduling")
    if booking.status == "cancelled":
        raise Conflict("status: a cancelled booking cannot be rescheduled")
    now = clock.now()
    _check_cancellation_notice(config, booking, now, "rescheduled")
    _check_duration(config, start, end)
    hosts = hosts_of(session, config.document)
    booked = {e.lower() for e in booking.hosts}
    if is_round_robin(config.document):
        hosts = [h for h in hosts if h.email.lower() in booked]
    if not any(h.email.lower() == booking.organizer_email.lower() for h in hosts):
        raise Conflict("participants: the booking's host is no longer part of the configuration")
    own = (booking.event_id,) if booking.event_id else ()
    _take_slot(session, config, hosts, start, end, now, exclude_event_ids=own)
    old_start, old_end = booking.start_ts, booking.end_ts
    # Compare-and-swap: a cancellation committed meanwhile wins, and nothing moves. The status
    # is left as it is: a pending booking moved by its guest still waits for the organizer.
    values: dict[str, object] = {"start_ts": start, "end_ts": end, "updated_at": now}
    if not repository.change_status(
        session, booking, expected={"booked", "pending"}, values=values
    ):
        raise Conflict("status: the booking was cancelled meanwhile")
    event = repository.find_event(session, booking.event_id)
    if event is not None:
        metadata = dict(event.event_metadata or {})
        metadata.update(_stamps(config, start, end, now))
        when = dict(event.when or {})
        when.update({"start_time": start, "end_time": end})
        when.pop("object", None)
        update_event(session, event, {"when": when, "metadata": metadata})
    record(
        session,
        "booking.rescheduled",
        payloads.rescheduled_payload(booking, config, event, old_start, old_end),
        source=SOURCE,
    )
    return booking


def cancel_booking(
    session: Session, access: Access, booking_id: str, body: dict[str, Any]
) -> Booking:
    """DELETE: cancel a booked or pending booking and its event."""
    booking = get_booking(session, access, booking_id)
    reason = body.get("cancellation_reason") or ""
    if not isinstance(reason, str):
        raise field_error("cancellation_reason", "expected a string")
    check_text("cancellation_reason", reason)
    config = _configuration_of(session, booking)
    _check_guest_may(access, config, "cancellation")
    if booking.status == "cancelled":
        raise Conflict("status: the booking is already cancelled")
    now = clock.now()
    _check_cancellation_notice(config, booking, now, "cancelled")
    values = {"status": "cancelled", "cancellation_reason": reason, "updated_at": now}
    if not repository.change_status(
        session, booking, expected={"booked", "pending"}, values=values
    ):
        raise Conflict("status: the booking is already cancelled")
    event = repository.find_event(session, booking.event_id)
    if event is not None:
        cancel_event(session, event)
    record(
        session,
        "booking.cancelled",
        payloads.cancelled_payload(booking, config, event),
        source=SOURCE,
    )
    return booking

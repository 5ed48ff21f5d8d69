"""Booking rules: create, confirm or reject a pending one, reschedule, cancel. Never commits.

Before the transaction, the caller syncs the hosts' remote calendars (`bookings.remote`), so
that no network call is made under the locks. Then every path that takes time follows the
same order inside the request's one transaction: lock the people it may book
(`scheduling.locks.lock_participants`, fixed order), re-check the slot with
`scheduling.offer.compute_offer` (the function that lists the slots), then write the
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
from slotwise.bookings import answers, group_seats, hold_claims, payloads, repository, titles
from slotwise.bookings.group_seats import Waiting
from slotwise.bookings.salts import guest_salt, seal_salt
from slotwise.bookings.schemas import CancelBooking, DecideBooking, MoveBooking, NewBooking
from slotwise.capabilities import matches_hash, same_secret, secret_hash
from slotwise.db.models import Booking, Calendar, Configuration, Event, Hold
from slotwise.db.rows import insert_row
from slotwise.documents import read_document
from slotwise.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    TimeslotUnavailable,
    field_error,
)
from slotwise.events.service import cancel_event, create_event, update_event
from slotwise.events.writeback import defer_remote_writes
from slotwise.ids import encode_booking_ref, new_salt, new_uuid
from slotwise.notifications import record
from slotwise.scheduling import holds_repository, limits_repository, locks
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.access import Access
from slotwise.scheduling.offer import (
    compute_offer,
    duration_seconds,
    on_offered_grid,
    organizer_timezone,
)
from slotwise.scheduling.service import Host, hosts_of

SOURCE = "/nylas/passthru"


# The cap on additional guests when the caller passes none (Settings.max_additional_guests).
MAX_ADDITIONAL_GUESTS = 10


@dataclass(frozen=True)
class _Checked:
    """A new booking checked against its configuration: the answers it keeps."""

    request: NewBooking
    additional_fields: dict[str, Any]


def _check_against(
    request: NewBooking, config: Configuration, access: Access, most_guests: int
) -> _Checked:
    """What the booking page of this configuration would have let the guest send."""
    guests = request.additional_guests
    scheduler = read_document(config).scheduler
    if guests and access.is_guest and scheduler.hide_additional_guests:
        raise field_error("additional_guests", "this configuration takes no additional guests")
    if len(guests) > most_guests:
        raise field_error("additional_guests", f"at most {most_guests} additional guests")
    kept = answers.check_answers(scheduler.additional_fields, request.additional_fields)
    return _Checked(request, kept)


def check_request(
    request: NewBooking,
    config: Configuration,
    access: Access,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> None:
    """The checks a booking request must pass before anything is fetched or locked for it."""
    _check_against(request, config, access, max_additional_guests)
    if read_document(config).is_group:
        return  # its meetings are as long as they are (bookings.group_seats)
    check_duration(config, request.start_time, request.end_time)
    if not on_offered_grid(read_document(config), request.start_time):
        raise TimeslotUnavailable("it is not on this configuration's slot grid")


def check_duration(config: Configuration, start: int, end: int) -> None:
    duration = duration_seconds(read_document(config))
    if end - start != duration:
        minutes = duration // 60
        raise TimeslotUnavailable(f"slots of this configuration last {minutes} minutes")


def pick_hosts(
    session: Session, config: Configuration, wanted: list[str] | None
) -> tuple[list[Host], Host | None]:
    """(the hosts to lock and check, the organizer if fixed in advance)."""
    document = read_document(config)
    hosts = hosts_of(session, document)
    if not hosts:
        raise InvalidRequest("participants: no participant of this configuration can be booked")
    if document.is_round_robin:
        pool = [h for h in hosts if h.takes_bookings]
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
    config: Configuration, organizer: Host, hosts: list[Host], req: NewBooking
) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    seen = {organizer.email.lower()}

    def add(email: str, name: Any) -> None:
        if email.lower() not in seen:
            seen.add(email.lower())
            people.append({"email": email, "name": name or ""})

    document = read_document(config)
    if not document.is_round_robin:
        for host in hosts:
            add(host.email, host.name)
    for p in document.participants:
        if not p.is_host:  # notified only
            add(p.email, p.name)
    add(req.guest.email, req.guest.name)
    for g in req.additional_guests:
        add(g.email, g.name)
    return people


def take_slot(
    session: Session,
    config: Configuration,
    hosts: list[Host],
    start: int,
    end: int,
    now: int,
    *,
    exclude_event_ids: tuple[str, ...] = (),
    exclude_hold_ids: tuple[str, ...] = (),
) -> tuple[list[Host], list[str]]:
    """Lock `hosts`, re-check [start, end); (hosts free for it, the round-robin order).

    The re-check counts booking limits and live holds (`scheduling.blocks`) under the same
    locks, so the last booking a limit allows, or a held slot, goes to one request only."""
    if not on_offered_grid(read_document(config), start):
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
        exclude_hold_ids=exclude_hold_ids,
        hosts=hosts,
        exact=True,
        refresh=False,
    )
    slot = next((s for s in offer.result.slots if s.start == start and s.end == end), None)
    if slot is None:
        raise TimeslotUnavailable()
    free = {e.lower() for e in slot.emails}
    return [h for h in offer.hosts if h.email.lower() in free], offer.full_order


def first_in_order(free: list[Host], order: list[str]) -> Host:
    """The round-robin host to book: the first free one in the rotation."""
    by_email = {h.email.lower(): h for h in free}
    first = next((by_email[e.lower()] for e in order if e.lower() in by_email), None)
    return first or free[0]


def _event_body(
    config: Configuration,
    organizer: Host,
    booked: list[Host],
    req: NewBooking,
    now: int,
    *,
    title: str,
    pending: bool,
) -> dict[str, Any]:
    """The booking's event in the organizer's calendar (a pending one says so in its title)."""
    document = read_document(config)
    event_booking = document.event_booking
    zone = organizer_timezone(document)
    body: dict[str, Any] = {
        "title": (payloads.PENDING_PREFIX + title) if pending else title,
        "description": event_booking.description,
        "location": event_booking.location,
        "busy": True,
        "when": {
            "start_time": req.start_time,
            "end_time": req.end_time,
            "start_timezone": zone,
            "end_timezone": zone,
        },
        "participants": _event_participants(config, organizer, booked, req),
        "metadata": _stamps(config, req.start_time, req.end_time, now),
    }
    if event_booking.conferencing:
        body["conferencing"] = event_booking.conferencing
    return body


def create_booking(
    session: Session,
    access: Access,
    req: NewBooking,
    *,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> tuple[Booking, Event]:
    defer_remote_writes(session)  # made after the commit: no network under the locks
    config = access.require_configuration()
    answers = _check_against(req, config, access, max_additional_guests).additional_fields
    start, end = req.start_time, req.end_time
    check_duration(config, start, end)
    now = clock.now()
    organizer, booked, hold = _book_hosts(session, config, req, now)
    document = read_document(config)
    event_booking = document.event_booking
    pending = event_booking.booking_type == "organizer-confirmation"
    host_name = organizer.name or organizer.grant.name
    title = titles.booked_title(event_booking, req.guest.model_dump(), host_name, organizer.email)
    calendar = _calendar_of(organizer)
    # The organizer's capability: a secret of its own, never the guest's salt (see capabilities).
    organizer_salt = new_salt() if pending else None
    body = _event_body(config, organizer, booked, req, now, title=title, pending=pending)
    event = create_event(session, organizer.grant, calendar, body)
    if document.is_round_robin:
        # Under the pool's locks: the booking's place in the rotation (bookings.repository).
        event.rotation_seq = repository.next_rotation_seq(session, config.id)
    booking = Booking(
        id=new_uuid(),
        configuration_id=config.id,
        event_id=event.id,
        organizer_grant_id=organizer.grant.id,
        organizer_calendar_id=calendar.id,
        organizer_email=organizer.email,
        organizer_name=organizer.name or organizer.grant.name,
        hosts=[organizer.email] + [h.email for h in booked if h is not organizer],
        status="pending" if pending else "booked",
        sealed_salt=seal_salt(new_salt()),
        organizer_secret_hash=secret_hash(organizer_salt) if organizer_salt else None,
        title=title,
        description=event_booking.description,
        guest=req.guest.model_dump(),
        additional_guests=[g.model_dump() for g in req.additional_guests],
        additional_fields=answers,
        guest_timezone=req.timezone,
        email_language=req.email_language,
        start_ts=start,
        end_ts=end,
        created_at=now,
        updated_at=now,
    )
    insert_row(session, booking)
    limits_repository.add_booking_hosts(session, booking.id, [h.grant.id for h in booked])
    hold_claims.release_guest_holds(session, config, hold, req.guest.email)
    if organizer_salt is not None:
        organizer_ref = encode_booking_ref(config.id, booking.id, organizer_salt)
        payload = payloads.pending_payload(booking, config, event, organizer_ref)
        record(session, "booking.pending", payload, source=SOURCE)
    else:
        payload = payloads.created_payload(booking, config, event)
        record(session, "booking.created", payload, source=SOURCE)
    return booking, event


def _book_hosts(
    session: Session, config: Configuration, req: NewBooking, now: int
) -> tuple[Host, list[Host], Hold | None]:
    """(organizer, booked hosts, the guest's hold it converts), the slot taken under the
    hosts' locks (`take_slot`): the hosts named, else round robin's next free host."""
    candidates, organizer = pick_hosts(session, config, req.participants)
    hold = hold_claims.claim_hold(session, config, req, now)
    if hold is not None and organizer is None:
        # Round robin: the hold kept its host free; the booking goes to that host.
        held = set(holds_repository.hold_grant_ids(session, hold.id))
        candidates = [h for h in candidates if h.grant.id in held] or candidates
    own_hold = (hold.id,) if hold is not None else ()
    start, end = req.start_time, req.end_time
    free, order = take_slot(session, config, candidates, start, end, now, exclude_hold_ids=own_hold)
    if organizer is None:
        organizer = first_in_order(free, order)
        return organizer, [organizer], hold
    return organizer, candidates, hold


def create_group_booking(
    session: Session,
    access: Access,
    req: NewBooking,
    *,
    max_additional_guests: int = MAX_ADDITIONAL_GUESTS,
) -> Booking | Waiting:
    """A seat in a group configuration's meeting, or a place in its waitlist."""
    config = access.require_configuration()
    answers = _check_against(req, config, access, max_additional_guests).additional_fields
    return group_seats.book_group_seat(session, config, req, answers)


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


def change_deadline(config: Configuration, booking: Booking) -> int | None:
    """The last instant at which `booking` may still be rescheduled or cancelled:
    scheduler.min_cancellation_notice minutes before it starts (None: no notice asked)."""
    notice = read_document(config).scheduler.min_cancellation_notice or 0
    return booking.start_ts - notice * 60 if notice else None


def _check_cancellation_notice(
    config: Configuration, booking: Booking, now: int, what: str
) -> None:
    deadline = change_deadline(config, booking)
    if deadline is not None and now > deadline:
        notice = (booking.start_ts - deadline) // 60
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
    if access.is_guest and getattr(read_document(config).scheduler, option):
        raise Forbidden(f"scheduler.{option}: guests cannot do this for this configuration")


def confirm_booking(
    session: Session, access: Access, booking_id: str, decision: DecideBooking
) -> Booking:
    """PUT: the organizer accepts (`confirmed`/`confirm`) or rejects a pending booking."""
    defer_remote_writes(session)  # made after the commit: no network under the locks
    booking = get_booking(session, access, booking_id)
    if not _may_decide(access, booking, decision.salt):
        raise field_error("salt", "does not match this booking")
    config = _configuration_of(session, booking)
    event = repository.find_event(session, booking.event_id)
    group_seats.lock_owner(session, booking)
    now = clock.now()
    if decision.confirms:
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
    values = {
        "status": "cancelled",
        "cancellation_reason": decision.cancellation_reason,
        "updated_at": now,
    }
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
    group_seats.seat_freed(session, config, booking)
    return booking


def reschedule_booking(
    session: Session, access: Access, booking_id: str, move: MoveBooking
) -> Booking:
    """PATCH: move a booking to another offered slot; same id, same host, same event."""
    defer_remote_writes(session)  # made after the commit: no network under the locks
    booking = get_booking(session, access, booking_id)
    start, end = move.start_time, move.end_time
    config = _configuration_of(session, booking)
    _check_guest_may(access, config, "rescheduling")
    if booking.group_event_id is not None:
        raise InvalidRequest(
            "booking_id: a seat in a group event cannot move; cancel it and book another meeting"
        )
    if booking.status == "cancelled":
        raise Conflict("status: a cancelled booking cannot be rescheduled")
    now = clock.now()
    _check_cancellation_notice(config, booking, now, "rescheduled")
    check_duration(config, start, end)
    document = read_document(config)
    hosts = hosts_of(session, document)
    booked = {e.lower() for e in booking.hosts}
    if document.is_round_robin:
        hosts = [h for h in hosts if h.email.lower() in booked]
    if not any(h.email.lower() == booking.organizer_email.lower() for h in hosts):
        raise Conflict("participants: the booking's host is no longer part of the configuration")
    own = (booking.event_id,) if booking.event_id else ()
    take_slot(session, config, hosts, start, end, now, exclude_event_ids=own)
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
    session: Session, access: Access, booking_id: str, cancel: CancelBooking
) -> Booking:
    """DELETE: cancel a booked or pending booking and its event."""
    defer_remote_writes(session)  # made after the commit: no network under the locks
    booking = get_booking(session, access, booking_id)
    reason = cancel.cancellation_reason
    config = _configuration_of(session, booking)
    _check_guest_may(access, config, "cancellation")
    if booking.status == "cancelled":
        raise Conflict("status: the booking is already cancelled")
    group_seats.lock_owner(session, booking)
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
    group_seats.seat_freed(session, config, booking)
    return booking

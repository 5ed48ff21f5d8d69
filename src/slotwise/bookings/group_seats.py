"""Seats in group events, and the waitlist of a full one.

A guest books a meeting of a group configuration by its time slot's `event_id`: the booking
is a seat (`group_event_id` names the meeting; it has no event of its own, the meeting is
the group's), with the same booking_ref, webhooks and emails as any booking.

Every path that takes or frees a seat holds the configuration owner's booking lock
(`scheduling.locks`, the same lock as any booking of theirs) while it counts the seats, so
the last seat is taken exactly once, on SQLite and PostgreSQL alike.

A guest who finds the meeting full may ask to wait (`waitlist: true`): they get a place in
its line. When a seat frees (a cancellation, a declined pending booking), the same
transaction books the first in line, so the seat is given exactly once and never lost: a
failed commit undoes both. Their booking.created (or booking.pending) is recorded in that
transaction's outbox as for any booking, which is how they are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings import payloads
from slotwise.bookings.salts import seal_salt
from slotwise.bookings.schemas import NewBooking
from slotwise.capabilities import secret_hash
from slotwise.db.models import Booking, Configuration, Event, WaitlistEntry
from slotwise.db.rows import insert_row
from slotwise.documents import read_document
from slotwise.errors import Conflict, EventFull, TimeslotUnavailable, field_error
from slotwise.ids import encode_booking_ref, new_salt, new_uuid
from slotwise.notifications import record
from slotwise.scheduling import group_repository as repository
from slotwise.scheduling import locks
from slotwise.scheduling.group_events import Occurrence, find_occurrence, group_offer, owner_of

SOURCE = "/nylas/passthru"
WAITING = "waiting"
BOOKED = "booked"


@dataclass(frozen=True)
class Waiting:
    """A guest's place in the line of a full meeting."""

    entry: WaitlistEntry
    position: int  # 1: next to get a seat


def _seat_request(req: NewBooking, answers: dict[str, Any]) -> dict[str, Any]:
    """What a seat keeps of the guest's request (a waitlist entry stores it to book later)."""
    return {
        "guest": req.guest.model_dump(),
        "additional_guests": [g.model_dump() for g in req.additional_guests],
        "additional_fields": answers,
        "timezone": req.timezone,
        "email_language": req.email_language,
    }


def _take_seat(
    session: Session,
    config: Configuration,
    occurrence: Occurrence,
    request: dict[str, Any],
    now: int,
) -> Booking:
    """Insert the seat's booking and record its booking.created (or .pending)."""
    owner = owner_of(session, config)
    document = read_document(config)
    pending = document.event_booking.booking_type == "organizer-confirmation"
    # The meeting's stored event (an occurrence of a series may be virtual: its master).
    event = session.get(Event, occurrence.event_id) or session.get(Event, occurrence.group.event_id)
    organizer_salt = new_salt() if pending else None
    booking = Booking(
        id=new_uuid(),
        configuration_id=config.id,
        event_id=None,
        group_event_id=occurrence.event_id,
        organizer_grant_id=owner.id,
        organizer_calendar_id=occurrence.group.calendar_id,
        organizer_email=owner.email,
        organizer_name=owner.name,
        hosts=[owner.email],
        status="pending" if pending else "booked",
        sealed_salt=seal_salt(new_salt()),
        organizer_secret_hash=secret_hash(organizer_salt) if organizer_salt else None,
        title=str(occurrence.data.get("title") or document.name or ""),
        description=occurrence.data.get("description"),
        guest=request["guest"],
        additional_guests=request["additional_guests"],
        additional_fields=request["additional_fields"],
        guest_timezone=request["timezone"],
        email_language=request["email_language"],
        start_ts=occurrence.start,
        end_ts=occurrence.end,
        created_at=now,
        updated_at=now,
    )
    insert_row(session, booking)
    if organizer_salt is not None:
        ref = encode_booking_ref(config.id, booking.id, organizer_salt)
        record(
            session,
            "booking.pending",
            payloads.pending_payload(booking, config, event, ref),
            source=SOURCE,
        )
    else:
        record(
            session,
            "booking.created",
            payloads.created_payload(booking, config, event),
            source=SOURCE,
        )
    return booking


def book_group_seat(
    session: Session, config: Configuration, req: NewBooking, answers: dict[str, Any]
) -> Booking | Waiting:
    """A seat in the meeting the guest picked, or (full, and asked) a place in its line."""
    if req.event_id is None:
        raise field_error("event_id", "is required: the event_id of a group time slot")
    now = clock.now()
    locks.lock_participants(session, [config.grant_id])
    slot = next(
        (
            s
            for s in group_offer(session, config, req.start_time, req.end_time, now=now)
            if s.occurrence.event_id == req.event_id
            and (s.occurrence.start, s.occurrence.end) == (req.start_time, req.end_time)
        ),
        None,
    )
    if slot is None:
        raise TimeslotUnavailable("no meeting of this configuration's group events at that time")
    occurrence = slot.occurrence
    email = req.guest.email.lower()
    seats = repository.live_seats(session, occurrence.event_id)
    if any(str(b.guest.get("email", "")).lower() == email for b in seats):
        raise Conflict("guest.email: already has a seat in this meeting")
    if len(seats) < occurrence.group.capacity:
        return _take_seat(session, config, occurrence, _seat_request(req, answers), now)
    if not req.waitlist:
        raise EventFull()
    entry = repository.waiting_entry_of(session, occurrence.event_id, email)
    if entry is None:
        entry = WaitlistEntry(
            id=new_uuid(),
            configuration_id=config.id,
            occurrence_id=occurrence.event_id,
            start_ts=occurrence.start,
            end_ts=occurrence.end,
            position=repository.last_position(session, occurrence.event_id) + 1,
            status=WAITING,
            guest_email=email,
            request=_seat_request(req, answers),
            created_at=now,
            updated_at=now,
        )
        session.add(entry)
        session.flush()
    return Waiting(entry, repository.places_ahead(session, entry) + 1)


def seat_freed(session: Session, config: Configuration, booking: Booking) -> list[Booking]:
    """After `booking` (a seat) stopped being live in this transaction: give the free seats
    of its meeting to the first in line (the caller holds the owner's lock)."""
    occurrence_id = booking.group_event_id
    if occurrence_id is None:
        return []
    now = clock.now()
    if booking.start_ts <= now:
        return []  # the meeting has begun: nobody is booked into it any more
    occurrence = find_occurrence(session, config, occurrence_id, booking.start_ts, booking.end_ts)
    if occurrence is None:
        return []
    taken = len(repository.live_seats(session, occurrence_id))
    promoted = []
    while taken < occurrence.group.capacity:
        entry = repository.first_waiting(session, occurrence_id)
        if entry is None:
            break
        seat = _take_seat(session, config, occurrence, entry.request, now)
        entry.status = BOOKED
        entry.booking_id = seat.id
        entry.updated_at = now
        session.flush()
        promoted.append(seat)
        taken += 1
    return promoted


def lock_owner(session: Session, booking: Booking) -> None:
    """Before a seat's status changes: the lock its meeting's seats are counted under."""
    if booking.group_event_id is not None:
        locks.lock_participants(session, [booking.organizer_grant_id])

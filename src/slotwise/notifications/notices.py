"""A booking notification's payload, typed: what the booking emails and reminders read of it.

`bookings.payloads` builds the payload (booking_id, configuration_id, booking_info …); the
outbox row and each reminder row keep it as built, and the webhooks deliver it as stored.
`read_notice` is its typed reading for the code that acts on it, done once where a stored
payload is read (the fan-out batch, the reminder loop, the guest's invitation download).
Only the fields Slotwise reads are named; the rest stay in the stored row, for the webhooks.

A stored row is read tolerantly, because it outlives the release that wrote it and one row must
never stop the worker: a value of the wrong type reads as if it were absent (the field's
default, as a missing key always has) and is logged with the booking it belongs to. So a
row with a bad value still fans out and its emails are built from the rest; a reminder whose
start time is unreadable reads as one whose event has begun, and is skipped. What still
cannot be sent (a header that would inject another) fails as one delivery, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticUseDefault

log = logging.getLogger("slotwise.notifications")


def _absent_if_wrong(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Any:
    if value is None:
        raise PydanticUseDefault()
    try:
        return handler(value)
    except ValidationError:
        _log_unread(info, f"{info.field_name} is a {type(value).__name__}")
        raise PydanticUseDefault() from None


def _log_unread(info: ValidationInfo, what: str) -> None:
    context = info.context if isinstance(info.context, dict) else {}
    log.warning("booking notification %s: %s; read as absent", context.get("booking_id"), what)


# A field read tolerantly (see the module's docstring): None or a wrong type is its default.
Tolerant = WrapValidator(_absent_if_wrong)


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Participant(_Read):
    email: Annotated[str, Tolerant] = ""
    name: Annotated[str, Tolerant] = ""


class BookingInfo(_Read):
    """`booking_info`: the booking as the notification told it (bookings.payloads)."""

    start_time: Annotated[int, Tolerant] = 0
    end_time: Annotated[int, Tolerant] = 0
    title: Annotated[str, Tolerant] = ""
    event_description: Annotated[str, Tolerant] = ""
    location: Annotated[str, Tolerant] = ""
    # The organizer first, then other booked hosts, the guest and additional guests.
    participants: Annotated[tuple[Participant, ...], Tolerant] = ()
    organizer_email: Annotated[str, Tolerant] = ""
    organizer_name: Annotated[str, Tolerant] = ""
    organizer_timezone: Annotated[str | None, Tolerant] = None
    guest_email: Annotated[str, Tolerant] = ""
    guest_name: Annotated[str, Tolerant] = ""
    guest_timezone: Annotated[str | None, Tolerant] = None
    host_language: Annotated[str | None, Tolerant] = None
    guest_language: Annotated[str | None, Tolerant] = None
    participant_rescheduling_url: Annotated[str, Tolerant] = ""
    participant_cancellation_url: Annotated[str, Tolerant] = ""
    # booking.pending: the organizer's confirmation page (with the organizer's own ref).
    host_confirmation_url: Annotated[str, Tolerant] = ""
    # booking.rescheduled: where it was; booking.cancelled: why.
    old_start_time: Annotated[int, Tolerant] = 0
    old_end_time: Annotated[int, Tolerant] = 0
    cancellation_reason: Annotated[str, Tolerant] = ""

    @field_validator("participants", mode="before")
    @classmethod
    def _objects_only(cls, value: Any, info: ValidationInfo) -> Any:
        # One entry that is not an object is dropped, not the whole list.
        if not isinstance(value, list):
            return value
        kept = [p for p in value if isinstance(p, dict)]
        if len(kept) != len(value):
            _log_unread(info, f"{len(value) - len(kept)} participant(s) not an object")
        return kept


class BookingNotice(_Read):
    """A booking.* notification's payload (booking.created, .pending, .rescheduled,
    .cancelled, .reminder)."""

    booking_id: Annotated[str, Tolerant] = ""
    booking_ref: Annotated[str, Tolerant] = ""  # the guest's
    configuration_id: Annotated[str | None, Tolerant] = None
    booking_info: Annotated[BookingInfo, Tolerant] = Field(default_factory=BookingInfo)


def read_notice(payload: Any) -> BookingNotice:
    """The typed reading of a stored booking notification payload; never raises."""
    if not isinstance(payload, dict):
        log.warning("booking notification payload is a %s; read as empty", type(payload).__name__)
        return BookingNotice()
    booking_id = payload.get("booking_id")
    return BookingNotice.model_validate(payload, context={"booking_id": booking_id})


def info_as_stored(payload: Any) -> dict[str, Any]:
    """The payload's booking_info exactly as stored, for a notification that passes it on
    (booking.reminder's is the booking's own); an absent or unreadable one is empty."""
    info = payload.get("booking_info") if isinstance(payload, dict) else None
    return dict(info) if isinstance(info, dict) else {}


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class People:
    organizer: Person
    guests: list[Person]  # the guest first, then additional guests
    hosts: list[Person]  # other booked hosts (not the organizer)


def people(info: BookingInfo) -> People:
    """Who a booking concerns, from its participants: the organizer (organizer_email, else the
    first participant), the guest side (from guest_email on; else the last participant), and
    the booked hosts between them."""
    participants = [p for p in info.participants if p.email]
    organizer_email = info.organizer_email or (participants[0].email if participants else "")
    organizer = Person(organizer_email, info.organizer_name)
    guest_email = info.guest_email
    emails = [p.email for p in participants]
    if guest_email and guest_email in emails:
        at = emails.index(guest_email)
    else:
        at = len(participants) - 1 if len(participants) > 1 else len(participants)
    guests = [Person(p.email, p.name) for p in participants[at:]]
    if guest_email and not guests:
        guests = [Person(guest_email, info.guest_name)]
    hosts = [Person(p.email, p.name) for p in participants[:at] if p.email != organizer_email]
    return People(organizer, guests, hosts)

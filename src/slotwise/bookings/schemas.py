"""Booking request documents (create, reschedule, cancel, confirm), parsed once at the face.

Each face turns its body into one of these with `validate_model`; the services take them. What
depends on the configuration (its additional fields, whether it takes additional guests, and
how many) is checked by the service, which knows the configuration. The wording of every
problem is the one guests and SDKs have always seen (tests pin it).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from slotwise.scheduling.schemas import TimeWindow
from slotwise.validation import (
    Schema,
    check_email,
    check_line,
    check_text,
    check_zone,
    checked,
    problem,
)

# The longest name an event participant may have (the guests become participants).
MAX_NAME = 1024
# The organizer's answer to a pending booking: whether each spelling confirms it.
DECISIONS = {"confirm": True, "confirmed": True, "cancel": False, "cancelled": False}
DECISIONS["canceled"] = False


class Guest(Schema):
    email: str
    name: str


class AdditionalGuest(Schema):
    email: str
    name: str | None = None


# Hold ids are UUIDs and secrets url-safe base64: anything longer is no hold.
MAX_TOKEN = 100


def _token(value: Any, info: ValidationInfo) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_TOKEN:
        raise problem("expected the string the hold was answered with", field=str(info.field_name))
    return value


def _host_emails(value: Any) -> list[str] | None:
    """`participants`: the hosts a guest picked (round robin), as emails or {email}."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise problem("expected a list of {email}", field="participants")
    emails = []
    for i, p in enumerate(value):
        address = p.get("email") if isinstance(p, dict) else p
        emails.append(checked(check_email, f"participants[{i}].email", address))
    return emails or None


class NewBooking(TimeWindow):
    """POST /v3/scheduling/bookings (and the hosted and v2 pages that book through it)."""

    guest: Guest = Field(default=None, validate_default=True)
    participants: list[str] | None = None  # hosts the guest picked (round-robin), by email
    additional_guests: list[AdditionalGuest] = Field(default_factory=list)
    timezone: str | None = None
    email_language: str = "en"
    additional_fields: dict[str, Any] = Field(default_factory=dict)  # checked by the service
    # A seat in a group configuration: the meeting (its time slot's event_id), and whether
    # to join its waitlist when it is full. The scheduling component also sends the slot's
    # master_id and calendar_id, which the event id already implies.
    event_id: str | None = None
    waitlist: bool = False

    @field_validator("event_id", mode="before")
    @classmethod
    def _event(cls, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > 64:
            raise problem("expected the event_id of a group time slot", field="event_id")
        return value

    @field_validator("waitlist", mode="before")
    @classmethod
    def _waitlist(cls, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise problem("expected true or false", field="waitlist")
        return value

    hold_id: str | None = None  # the guest's hold of this slot (bookings.holds), converted
    hold_secret: str | None = None

    _hold = field_validator("hold_id", "hold_secret", mode="before")(_token)

    @field_validator("guest", mode="before")
    @classmethod
    def _guest(cls, value: Any) -> Guest:
        if not isinstance(value, dict):
            raise problem("is required ({email, name})", field="guest")
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            raise problem("is required", field="guest.name")
        if len(name.strip()) > MAX_NAME:
            raise problem(f"expected at most {MAX_NAME} characters", field="guest.name")
        checked(check_line, "guest.name", name)
        email = checked(check_email, "guest.email", value.get("email"))
        return Guest(email=email, name=name.strip())

    _participants = field_validator("participants", mode="before")(_host_emails)

    @field_validator("additional_guests", mode="before")
    @classmethod
    def _additional_guests(cls, value: Any) -> list[AdditionalGuest]:
        value = value or []
        if not isinstance(value, list):
            raise problem("expected a list of {email, name}", field="additional_guests")
        out = []
        for i, g in enumerate(value):
            where = f"additional_guests[{i}]"
            if not isinstance(g, dict):
                raise problem("expected {email, name}", field=where)
            name = g.get("name")
            if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
                raise problem(
                    f"expected a string of at most {MAX_NAME} characters", field=f"{where}.name"
                )
            checked(check_line, f"{where}.name", name)
            email = checked(check_email, f"{where}.email", g.get("email"))
            out.append(AdditionalGuest(email=email, name=name))
        return out

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str | None:
        if not value:
            return None  # the query's `timezone`, if any, is taken instead (see `with_timezone`)
        checked(check_zone, "timezone", value)
        return str(value)

    @field_validator("email_language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        language = value or "en"
        if not isinstance(language, str) or len(language) > 8:
            raise problem("expected a language code such as en", field="email_language")
        checked(check_line, "email_language", language)
        return language

    @field_validator("additional_fields", mode="before")
    @classmethod
    def _answers(cls, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise problem("expected an object", field="additional_fields")
        return value

    def with_timezone(self, query_timezone: str | None) -> NewBooking:
        """The body's `timezone`, else the one the face's query string names (checked)."""
        if self.timezone or not query_timezone:
            return self
        check_zone("timezone", query_timezone)
        return self.model_copy(update={"timezone": query_timezone})


class MoveBooking(TimeWindow):
    """PATCH /v3/scheduling/bookings/{id}: the new slot."""


def _reason(value: Any) -> str:
    reason = value or ""
    if not isinstance(reason, str):
        raise problem("expected a string", field="cancellation_reason")
    checked(check_text, "cancellation_reason", reason)
    return reason


class CancelBooking(Schema):
    """DELETE /v3/scheduling/bookings/{id}."""

    cancellation_reason: str = ""

    _reason = field_validator("cancellation_reason", mode="before")(_reason)


class DecideBooking(Schema):
    """PUT /v3/scheduling/bookings/{id}: the organizer confirms or declines a pending booking."""

    salt: str = Field(default=None, validate_default=True)
    status: str = Field(default=None, validate_default=True)
    cancellation_reason: str = ""  # read only when declining

    @field_validator("salt", mode="before")
    @classmethod
    def _salt(cls, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise problem("is required", field="salt")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        if not isinstance(value, str) or value not in DECISIONS:
            raise problem("must be confirmed or cancelled", field="status")
        return str(value)

    @field_validator("cancellation_reason", mode="before")
    @classmethod
    def _declined_reason(cls, value: Any, info: ValidationInfo) -> str:
        return "" if DECISIONS.get(info.data.get("status", "")) else _reason(value)

    @property
    def confirms(self) -> bool:
        return DECISIONS[self.status]


class NewHold(TimeWindow):
    """POST /v3/scheduling/holds: the slot, who holds it, and the hold it replaces, if any.

    `email` is optional (a booking page holds a time before the guest has typed it); a guest
    is their email when given, else the hold's secret. Passing a previous `hold_id` and
    `hold_secret` moves that hold to the new slot.
    """

    email: str | None = None
    participants: list[str] | None = None  # round robin: the hosts the guest picked
    hold_id: str | None = None
    hold_secret: str | None = None

    _hold = field_validator("hold_id", "hold_secret", mode="before")(_token)
    _participants = field_validator("participants", mode="before")(_host_emails)

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return str(checked(check_email, "email", value))


class ReleaseHold(Schema):
    """DELETE /v3/scheduling/holds/{id}: the secret the hold was answered with."""

    hold_secret: str = Field(default=None, validate_default=True)

    @field_validator("hold_secret", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > MAX_TOKEN:
            raise problem("is required", field="hold_secret")
        return value

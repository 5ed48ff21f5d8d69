"""Scheduling documents: configurations, sessions and the scheduler's availability query.

Parsed once at the face with `validate_model`; the wording of each problem is the one clients
have always seen (tests pin it).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from slotwise.db.models import Configuration
from slotwise.scheduling.checks import ROUND_ROBIN_METHODS, check_configuration, unix_seconds
from slotwise.validation import Schema, checked, problem, validate_model

DAY = 86400
SESSION_TTL_DEFAULT_MINUTES = 5
SESSION_TTL_MAX_MINUTES = 30
MAX_OFFER_WINDOW_DAYS = 400


class TimeWindow(Schema):
    """`start_time`, `end_time`: Unix seconds (numbers or numeric strings), end after start."""

    start_time: int = Field(default=None, validate_default=True)
    end_time: int = Field(default=None, validate_default=True)

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def _epoch(cls, value: Any, info: ValidationInfo) -> int:
        return checked(unix_seconds, str(info.field_name), value)

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end_time <= self.start_time:
            raise problem("must be after start_time", field="end_time")
        return self


class OfferQuery(TimeWindow):
    """GET /v3/scheduling/availability: the window, and the booking being moved, if any."""

    booking_id: str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> OfferQuery:
        if self.end_time - self.start_time > MAX_OFFER_WINDOW_DAYS * DAY:
            raise problem(
                f"the window may span at most {MAX_OFFER_WINDOW_DAYS} days", field="end_time"
            )
        return self


class NewSession(Schema):
    """POST /v3/scheduling/sessions: a configuration by id or slug, and minutes to live."""

    configuration_id: str | None = None
    slug: str | None = None
    time_to_live: float = SESSION_TTL_DEFAULT_MINUTES

    @field_validator("configuration_id", "slug", mode="before")
    @classmethod
    def _name(cls, value: Any, info: ValidationInfo) -> str | None:
        if not value:
            return None
        if not isinstance(value, str):
            raise problem("expected a string", field=str(info.field_name))
        return value

    @field_validator("time_to_live", mode="before")
    @classmethod
    def _ttl(cls, value: Any) -> float:
        if value is None:
            return SESSION_TTL_DEFAULT_MINUTES
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise problem("expected a number of minutes", field="time_to_live")
        if value <= 0 or value > SESSION_TTL_MAX_MINUTES:
            raise problem(
                f"must be more than 0 and at most {SESSION_TTL_MAX_MINUTES} minutes",
                field="time_to_live",
            )
        return value

    @model_validator(mode="after")
    def _named(self) -> NewSession:
        if self.configuration_id is None and self.slug is None:
            raise problem("give configuration_id or slug", field="configuration_id")
        return self


# -- the configuration object (reference §3) -----------------------------------------------------
#
# What a client PUTs or POSTs is stored as sent, unknown keys included, and GET returns it (tests
# pin the round trip); these models are the typed reading of it. `parse_configuration` refuses
# what cannot work (the checks of scheduling.checks, each naming its field); `read` takes a
# stored document as it is, without checking it again.


class _Part(BaseModel):
    # Every part keeps the keys it does not name: they belong to the client.
    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _unset(cls, data: Any) -> Any:
        # A null in a stored document means "not set": the part's default.
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}


class Buffer(_Part):
    before: int = 0
    after: int = 0


class AvailabilityRules(_Part):
    availability_method: str = "collective"
    buffer: Buffer = Field(default_factory=Buffer)
    default_open_hours: list[dict[str, Any]] = Field(default_factory=list)
    default_specific_time_availability: list[dict[str, Any]] = Field(default_factory=list)
    only_specific_time_availability: bool = False
    tentative_as_busy: bool = True
    strict_rotation: bool = False
    round_robin_group_id: str | None = None
    round_robin_event_id: str | None = None  # the Node SDK's name for the group id

    @property
    def group_id(self) -> str | None:
        return self.round_robin_group_id or self.round_robin_event_id or None


class AvailabilitySettings(_Part):
    duration_minutes: int
    interval_minutes: int | None = None
    round_to: int | None = None
    availability_rules: AvailabilityRules = Field(default_factory=AvailabilityRules)


class EventBooking(_Part):
    title: str = ""
    description: str | None = None
    location: str | None = None
    timezone: str | None = None
    booking_type: str = "booking"
    conferencing: dict[str, Any] | None = None
    reminders: list[dict[str, Any]] = Field(default_factory=list)
    disable_emails: bool = False
    hide_participants: bool = False
    notify_participants: bool = True
    template_title: str | None = None  # bookings.titles
    organizer_language: str | None = None  # a v2 page's `locale`


class Scheduler(_Part):
    available_days_in_future: int | None = None
    min_booking_notice: int | None = None
    min_cancellation_notice: int | None = None
    cancellation_policy: str | None = None
    rescheduling_url: str | None = None
    cancellation_url: str | None = None
    organizer_confirmation_url: str | None = None
    confirmation_redirect_url: str | None = None
    hide_rescheduling_options: bool = False
    hide_cancellation_options: bool = False
    hide_additional_guests: bool = False
    additional_fields: dict[str, dict[str, Any]] = Field(default_factory=dict)
    email_template: dict[str, Any] = Field(default_factory=dict)
    expire_after: dict[str, Any] = Field(default_factory=dict)
    capacity: int | None = None  # seats per slot, -1 unlimited (scheduling.seats)


class ParticipantAvailability(_Part):
    calendar_ids: list[str] = Field(default_factory=list)
    open_hours: list[dict[str, Any]] = Field(default_factory=list)


class ParticipantBooking(_Part):
    calendar_id: str | None = None


class ConfigurationParticipant(_Part):
    email: str
    name: str | None = None
    is_organizer: bool = False
    timezone: str | None = None
    availability: ParticipantAvailability | None = None
    booking: ParticipantBooking | None = None
    specific_time_availability: list[dict[str, Any]] = Field(default_factory=list)
    only_specific_time_availability: bool = False

    @property
    def is_host(self) -> bool:
        """Has availability or booking: their calendars count, so they need a grant."""
        return bool(self.availability) or bool(self.booking)


class ConfigurationDocument(_Part):
    name: str | None = None
    slug: str | None = None
    requires_session_auth: bool = False
    participants: list[ConfigurationParticipant]
    availability: AvailabilitySettings
    event_booking: EventBooking
    scheduler: Scheduler = Field(default_factory=Scheduler)
    appearance: dict[str, Any] | None = None

    @property
    def rules(self) -> AvailabilityRules:
        return self.availability.availability_rules

    @property
    def is_round_robin(self) -> bool:
        return self.rules.availability_method in ROUND_ROBIN_METHODS

    @classmethod
    def read(cls, document: dict[str, Any]) -> ConfigurationDocument:
        """A stored document (checked when it was written), typed."""
        return cls.model_validate(document)


class NewConfiguration(ConfigurationDocument):
    """A configuration object a client sent (whole, or merged with the stored one by a PUT):
    refused, naming the field, unless it can work (the checks of `scheduling.checks`, which
    read the object as a whole, since one part's rules depend on another's)."""

    @model_validator(mode="before")
    @classmethod
    def _can_work(cls, data: Any) -> Any:
        checked(check_configuration, data)
        return data


def parse_configuration(document: Any) -> ConfigurationDocument:
    return validate_model(NewConfiguration, document)


def read_document(config: Configuration) -> ConfigurationDocument:
    """The typed reading of a stored configuration."""
    return ConfigurationDocument.read(config.document)

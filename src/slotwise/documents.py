"""The typed reading of a stored configuration document (the Nylas v3 configuration object,
reference §3), for every package that acts on one: scheduling, bookings, the guest pages and
the booking emails.

What a client PUTs or POSTs is stored as sent, unknown keys included, and GET returns it (tests
pin the round trip); these models are the typed reading of it. Refusing what cannot work is
`scheduling.schemas.NewConfiguration`'s job (the checks of scheduling.checks, each naming its
field); `read_document` takes a stored document as it is, without checking it again. The
models sit below the domain packages so that notifications, which events import, can read a
configuration too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slotwise.db.models import Configuration

ROUND_ROBIN_METHODS = frozenset({"max-fairness", "max-availability"})


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

    @field_validator(
        "rescheduling_url",
        "cancellation_url",
        "organizer_confirmation_url",
        "confirmation_redirect_url",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # The scheduler editor sends "" for a link left blank.
        return None if value == "" else value


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
        """Has availability or booking: their calendars count, so they need a grant. An empty
        object (`"availability": {}`) counts as absent, as it always has (a pydantic model is
        truthy even when nothing was sent, so what was sent decides)."""
        return _sent(self.availability) or _sent(self.booking)


def _sent(part: _Part | None) -> bool:
    return part is not None and bool(part.model_fields_set or part.model_extra)


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


def read_document(config: Configuration) -> ConfigurationDocument:
    """The typed reading of a stored configuration."""
    return ConfigurationDocument.read(config.document)

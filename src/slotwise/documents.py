"""The typed reading of a stored configuration document (the Nylas v3 configuration object,
reference §3), for every package that acts on one: scheduling, bookings, the guest pages and
the booking emails.

What a client PUTs or POSTs is stored as sent, unknown keys included, and GET returns it (tests
pin the round trip); these models are the typed reading of it. Refusing what cannot work is
`scheduling.schemas.NewConfiguration`'s job (these models, with the rules of
`scheduling.checks` as validators, each naming its field; fields are in the order they are
checked); `read_document` takes a stored document as it is, without checking it again. The
models sit below the domain packages so that notifications, which events import, can read a
configuration too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from slotwise.db.models import Configuration

ROUND_ROBIN_METHODS = frozenset({"max-fairness", "max-availability"})


class _Part(BaseModel):
    # Every part keeps the keys it does not name: they belong to the client. Lists and maps of
    # parts are read-only (Sequence, Mapping), which lets `scheduling.schemas` check them as
    # lists of its own, stricter parts.
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


class OpenHours(_Part):
    """A weekly rule: `days` 0 (Sunday) to 6, "H:MM" times, read in `timezone` if given."""

    days: list[int] = Field(default_factory=list)
    start: str = "0:00"
    end: str = "24:00"
    timezone: str | None = None
    exdates: list[str] = Field(default_factory=list)


class SpecificTime(_Part):
    """Hours on one `date` (YYYY-MM-DD)."""

    date: str
    start: str = "0:00"
    end: str = "24:00"
    timezone: str | None = None


class AvailabilityRules(_Part):
    availability_method: str = "collective"
    buffer: Buffer = Field(default_factory=Buffer)
    default_open_hours: Sequence[OpenHours] = Field(default_factory=list)
    default_specific_time_availability: Sequence[SpecificTime] = Field(default_factory=list)
    only_specific_time_availability: bool = False
    tentative_as_busy: bool = True
    strict_rotation: bool = False
    round_robin_group_id: str | None = None
    round_robin_event_id: str | None = None  # the Node SDK's name for the group id

    @property
    def is_round_robin(self) -> bool:
        return self.availability_method in ROUND_ROBIN_METHODS

    @property
    def group_id(self) -> str | None:
        return self.round_robin_group_id or self.round_robin_event_id or None


class AvailabilitySettings(_Part):
    duration_minutes: int
    interval_minutes: int | None = None
    round_to: int | None = None
    availability_rules: AvailabilityRules = Field(default_factory=AvailabilityRules)


class ReminderSpec(_Part):
    """One of `event_booking.reminders`: an email or a webhook, minutes before the event."""

    type: str = "email"
    minutes_before_event: int = 0
    recipient: str = "all"
    email_subject: str | None = None
    webhook_url: str | None = None


class EventBooking(_Part):
    title: str = ""
    location: str | None = None
    description: str | None = None
    timezone: str | None = None
    booking_type: str = "booking"
    disable_emails: bool = False
    hide_participants: bool = False
    notify_participants: bool = True
    template_title: str | None = None  # bookings.titles
    organizer_language: str | None = None  # a v2 page's `locale`
    conferencing: dict[str, Any] | None = None  # passed on to the event as sent
    reminders: Sequence[ReminderSpec] = Field(default_factory=list)


class AdditionalField(_Part):
    """A question of the booking form (`scheduler.additional_fields.<key>`)."""

    label: str = ""
    type: str = "text"
    required: bool = False
    pattern: str | None = None
    order: int | None = None
    options: list[str] = Field(default_factory=list)
    default: JsonValue = None  # a string, a list of them (multi_select) or a boolean (checkbox)


class ConfirmedEmail(_Part):
    title: str | None = None  # the subject
    body: str | None = None


class EmailTemplate(_Part):
    logo: str | None = None
    show_nylas_branding: bool | None = None
    booking_confirmed: ConfirmedEmail = Field(default_factory=ConfirmedEmail)


def _read_epoch(value: Any) -> Any:
    # Stored as sent: a number or a numeric string (checked by scheduling.checks.unix_seconds).
    return int(float(value)) if isinstance(value, str) else value


class ExpireAfter(_Part):
    """The configuration closes at `date` (Unix seconds) or after `uses` bookings."""

    uses: int | None = None
    date: Annotated[int | None, BeforeValidator(_read_epoch)] = None


class BookingLimits(_Part):
    """How many bookings a host takes per local day, week and month (None: no limit)."""

    per_day: int | None = None
    per_week: int | None = None
    per_month: int | None = None


class DurationLimits(_Part):
    """How many minutes of bookings a host takes per local day and week (None: no limit)."""

    per_day: int | None = None
    per_week: int | None = None


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
    additional_fields: Mapping[str, AdditionalField] = Field(default_factory=dict)
    email_template: EmailTemplate = Field(default_factory=EmailTemplate)
    capacity: int | None = None  # seats per slot, -1 unlimited (scheduling.seats)
    expire_after: ExpireAfter = Field(default_factory=ExpireAfter)
    booking_limits: BookingLimits = Field(default_factory=BookingLimits)  # scheduling.limits
    duration_limits: DurationLimits = Field(default_factory=DurationLimits)
    week_start: str | None = None  # "monday" … "sunday"; None: the organizer language's

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
    open_hours: Sequence[OpenHours] = Field(default_factory=list)


class ParticipantBooking(_Part):
    calendar_id: str | None = None


class ConfigurationParticipant(_Part):
    email: str
    name: str | None = None
    is_organizer: bool = False
    timezone: str | None = None
    availability: ParticipantAvailability | None = None
    booking: ParticipantBooking | None = None
    specific_time_availability: Sequence[SpecificTime] = Field(default_factory=list)
    only_specific_time_availability: bool = False

    @property
    def is_host(self) -> bool:
        """Has availability or booking: their calendars count, so they need a grant. An empty
        object (`"availability": {}`) counts as absent, as it always has (a pydantic model is
        truthy even when nothing was sent, so what was sent decides)."""
        return was_sent(self.availability) or was_sent(self.booking)


def was_sent(part: _Part | None) -> bool:
    """Whether a part was in the document with something in it."""
    return part is not None and bool(part.model_fields_set or part.model_extra)


class GroupBooking(_Part):
    """A group configuration's booking part: where its events live, and how they book."""

    calendar_id: str = "primary"
    booking_type: str = "booking"
    disable_emails: bool = False
    reminders: Sequence[ReminderSpec] = Field(default_factory=list)
    default_capacity: int | None = None  # what the editor proposes for a new event


GROUP = "group"
# A group configuration's slots are its events, each as long as it is; the typed reading
# still needs a duration for the rules that every configuration has (none of which applies).
_GROUP_DURATION_MINUTES = 60


def part_as_sent(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    """One object of a stored document exactly as the client sent it, unknown keys included
    (absent, null or not an object: empty). For an answer that passes a part on as sent (the
    web component reads keys Slotwise does not know) and for the typed readings of one part;
    code that acts on a part reads it typed."""
    part = document.get(key)
    return part if isinstance(part, dict) else {}


def _group_event_booking(document: dict[str, Any]) -> dict[str, Any]:
    group = part_as_sent(document, "group_booking")
    parts = {
        key: group[key]
        for key in ("booking_type", "disable_emails", "reminders")
        if group.get(key) is not None
    }
    return {"title": document.get("name") or "", **parts}


def event_booking_of(document: dict[str, Any]) -> EventBooking:
    """The event_booking part of a stored document alone (a group configuration's is read
    from its `group_booking`), for readers that type no other part (notifications)."""
    if document.get("type") == GROUP:
        return EventBooking.model_validate(_group_event_booking(document))
    return EventBooking.model_validate(part_as_sent(document, "event_booking"))


def scheduler_of(document: dict[str, Any]) -> Scheduler:
    """The scheduler part of a stored document alone (notifications)."""
    return Scheduler.model_validate(part_as_sent(document, "scheduler"))


class ConfigurationDocument(_Part):
    # In the order a new configuration is checked in (the first problem is reported first).
    availability: AvailabilitySettings
    event_booking: EventBooking
    participants: Sequence[ConfigurationParticipant]
    scheduler: Scheduler = Field(default_factory=Scheduler)
    slug: str | None = None
    requires_session_auth: bool = False
    appearance: dict[str, Any] | None = None
    name: str | None = None
    type: str | None = None
    group_booking: GroupBooking | None = None

    @model_validator(mode="before")
    @classmethod
    def _group_parts(cls, data: Any) -> Any:
        """A group configuration has no participants, availability nor event_booking: its
        `group_booking` is read as the event_booking the booking emails and reminders read,
        and its title is the configuration's name (each seat's title is its event's)."""
        if not isinstance(data, dict) or data.get("type") != GROUP:
            return data
        return {
            **data,
            "participants": [],
            "availability": {"duration_minutes": _GROUP_DURATION_MINUTES},
            "event_booking": _group_event_booking(data),
        }

    @property
    def is_group(self) -> bool:
        return self.type == GROUP

    @property
    def rules(self) -> AvailabilityRules:
        return self.availability.availability_rules

    @property
    def is_round_robin(self) -> bool:
        return self.rules.is_round_robin

    @classmethod
    def read(cls, document: dict[str, Any]) -> ConfigurationDocument:
        """A stored document (checked when it was written), typed."""
        return cls.model_validate(document)


def read_document(config: Configuration) -> ConfigurationDocument:
    """The typed reading of a stored configuration."""
    return ConfigurationDocument.read(config.document)

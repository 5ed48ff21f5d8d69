"""Scheduling documents: configurations, sessions and the scheduler's availability query.

Parsed once at the face with `validate_model`; the wording of each problem is the one clients
have always seen (tests pin it).

A configuration is read by the models of `slotwise.documents`; the `New…` models here are
those models with the rules of `scheduling.checks` as their validators, so a field is declared
once, typed, and checked where it is declared. A new field goes into its part in `documents`
(how it is read) and, with its rule, into the part's `New…` model here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    JsonValue,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slotwise import documents as doc
from slotwise.availability_api.request_fields import time_list
from slotwise.errors import field_error
from slotwise.scheduling.checks import (
    BOOKING_TYPES,
    FIELD_TYPES,
    MAX_BOOKINGS_PER_PERIOD,
    MAX_DAYS_IN_FUTURE,
    MAX_DURATION_MINUTES,
    MAX_GROUP_ID,
    MAX_NAME,
    METHODS,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    REMINDER_RECIPIENTS,
    REMINDER_TYPES,
    TYPES_WITH_OPTIONS,
    WEEKDAYS,
    check_appearance,
    check_bool,
    check_date,
    check_int,
    check_one_of,
    check_pattern,
    check_slug,
    check_string,
    optional_zone,
    rule,
    span_end,
    span_start,
    unix_seconds,
)
from slotwise.validation import (
    Schema,
    as_list,
    as_object,
    check_delivery_url,
    check_email,
    check_http_url,
    check_line,
    checked,
    problem,
    validate_model,
    whole_number,
)

DAY = 86400
SESSION_TTL_DEFAULT_MINUTES = 5
SESSION_TTL_MAX_MINUTES = 30
MAX_OFFER_WINDOW_DAYS = 400
MAX_GROUP_CAPACITY = 10_000  # seats in one meeting of a group event


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


# -- the configuration object (reference §3): read by slotwise.documents, checked here -----------
#
# Each `New…` model is its `documents` part with the part's rules. A rule checks the value as
# sent (`rule(check, ...)`: the check's own words, the field named by where pydantic finds it),
# before pydantic types it. Fields a rule must see when absent default to None and are
# validated anyway (`_CHECKED_DEFAULT`), so "is required" reads as it always has.

_CHECKED_DEFAULT: Any = Field(default=None, validate_default=True)


def _whole(**bounds: Any) -> Any:
    return rule(check_int, **bounds)


def _text(**limits: Any) -> Any:
    return rule(check_string, **limits)


_FLAG = rule(check_bool)
_ZONE = rule(optional_zone)
_LINK = rule(check_http_url)
_STEP = {"lo": 5, "hi": MAX_DURATION_MINUTES, "multiple_of": 5}


class _Object(BaseModel):
    """A part that must be a JSON object (and is there, where a rule asks for it)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if data is None:
            raise problem("is required")
        if not isinstance(data, dict):
            raise problem("expected an object")
        return data


def _days(field: str, value: Any) -> None:
    for day in as_list(field, value, required=True):
        if day is None:
            raise field_error(field, "expected day numbers 0 (Sunday) to 6")
        check_int(field, day, lo=0, hi=6)


def _each(check: Any, **kwargs: Any) -> Any:
    """A list whose every item passes `check`, each failure naming the list."""

    def check_all(field: str, value: Any) -> None:
        for item in as_list(field, value):
            check(field, item, **kwargs)

    return rule(check_all)


class _Span(BaseModel):
    start: Annotated[str, rule(span_start)] = _CHECKED_DEFAULT
    end: str = _CHECKED_DEFAULT

    @field_validator("end", mode="before")
    @classmethod
    def _after_start(cls, value: Any, info: ValidationInfo) -> Any:
        checked(span_end, "", value, info.data.get("start"))
        return value


class NewOpenHours(_Object, _Span, doc.OpenHours):
    days: Annotated[list[int], rule(_days)] = _CHECKED_DEFAULT
    timezone: Annotated[str | None, _ZONE] = None
    exdates: Annotated[list[str], _each(check_date)] = Field(default_factory=list)


class NewSpecificTime(_Object, _Span, doc.SpecificTime):
    date: Annotated[str, rule(check_date)] = _CHECKED_DEFAULT
    timezone: Annotated[str | None, _ZONE] = None


_OPEN_HOURS = rule(as_list)


class NewBuffer(_Object, doc.Buffer):
    before: Annotated[int, _whole(lo=0, hi=120, multiple_of=5)] = 0
    after: Annotated[int, _whole(lo=0, hi=120, multiple_of=5)] = 0


class NewAvailabilityRules(_Object, doc.AvailabilityRules):
    availability_method: Annotated[str, rule(check_one_of, METHODS, required=False)] = "collective"
    buffer: NewBuffer = Field(default_factory=NewBuffer)
    default_open_hours: Annotated[list[NewOpenHours], _OPEN_HOURS] = Field(default_factory=list)
    default_specific_time_availability: Annotated[list[NewSpecificTime], _OPEN_HOURS] = Field(
        default_factory=list
    )
    only_specific_time_availability: Annotated[bool, _FLAG] = False
    tentative_as_busy: Annotated[bool, _FLAG] = True
    strict_rotation: Annotated[bool, _FLAG] = False
    round_robin_group_id: Annotated[str | None, _text(most=MAX_GROUP_ID)] = None
    round_robin_event_id: Annotated[str | None, _text(most=MAX_GROUP_ID)] = None


class NewAvailabilitySettings(_Object, doc.AvailabilitySettings):
    duration_minutes: Annotated[int, _whole(required=True, **_STEP)] = _CHECKED_DEFAULT
    interval_minutes: Annotated[int | None, _whole(**_STEP)] = None
    round_to: Annotated[int | None, _whole(lo=5, hi=60, multiple_of=5)] = None
    availability_rules: NewAvailabilityRules = Field(default_factory=NewAvailabilityRules)


class NewReminder(_Object, doc.ReminderSpec):
    type: Annotated[str, rule(check_one_of, REMINDER_TYPES, required=True)] = _CHECKED_DEFAULT
    minutes_before_event: Annotated[int, _whole(lo=1, required=True)] = _CHECKED_DEFAULT
    recipient: Annotated[str, rule(check_one_of, REMINDER_RECIPIENTS, required=False)] = "all"
    email_subject: Annotated[str | None, _text()] = None
    webhook_url: str | None = None

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _reachable(cls, value: Any, info: ValidationInfo) -> Any:
        # Slotwise will POST a webhook reminder there: a URL the outbound policy lets it reach.
        if info.data.get("type") == "webhook":
            checked(check_delivery_url, "", value)
        return value


def _conferencing(field: str, value: Any) -> None:
    if as_object(field, value):
        check_string(f"{field}.provider", value.get("provider"), required=True)


class NewEventBooking(_Object, doc.EventBooking):
    title: Annotated[str, _text(required=True)] = _CHECKED_DEFAULT
    location: Annotated[str | None, _text()] = None
    description: Annotated[str | None, _text(lines="text")] = None
    timezone: Annotated[str | None, _ZONE] = None
    booking_type: Annotated[str, rule(check_one_of, BOOKING_TYPES, required=False)] = "booking"
    disable_emails: Annotated[bool, _FLAG] = False
    hide_participants: Annotated[bool, _FLAG] = False
    notify_participants: Annotated[bool, _FLAG] = True
    # Slotwise extensions a v2 page maps onto (bookings.titles, notifications.booking_emails).
    template_title: Annotated[str | None, _text(most=1000)] = None
    organizer_language: Annotated[str | None, _text(most=35)] = None
    conferencing: Annotated[dict[str, Any] | None, rule(_conferencing)] = None
    reminders: Annotated[list[NewReminder], rule(as_list)] = Field(default_factory=list)


def _options(field: str, value: Any, kind: Any) -> None:
    if kind in TYPES_WITH_OPTIONS and (not isinstance(value, list) or not value):
        raise field_error(field, f"a {kind} needs a list of options")
    if not isinstance(value, list) or not all(isinstance(o, str) for o in value):
        raise field_error(field, "expected a list of strings")
    for option in value:
        check_line(field, option)


def _default(field: str, value: Any) -> None:
    for item in value if isinstance(value, list) else [value]:
        check_line(field, item)


class NewAdditionalField(_Object, doc.AdditionalField):
    label: Annotated[str, _text(required=True)] = _CHECKED_DEFAULT
    type: Annotated[str, rule(check_one_of, FIELD_TYPES, required=True)] = _CHECKED_DEFAULT
    required: bool = _CHECKED_DEFAULT
    pattern: Annotated[str | None, rule(check_pattern)] = None
    order: Annotated[int | None, _whole()] = None
    options: list[str] = Field(default_factory=list, validate_default=True)
    default: Annotated[JsonValue, rule(_default)] = None

    @field_validator("required", mode="before")
    @classmethod
    def _said(cls, value: Any) -> Any:
        if not isinstance(value, bool):
            raise problem("is required (true or false)")
        return value

    @field_validator("options", mode="before")
    @classmethod
    def _offered(cls, value: Any, info: ValidationInfo) -> Any:
        checked(_options, "", value, info.data.get("type"))
        return value


def _field_keys(field: str, value: Any) -> None:
    for key in as_object(field, value):
        check_line(field, key)


class NewConfirmedEmail(_Object, doc.ConfirmedEmail):
    title: Annotated[str | None, _text()] = None  # an email subject
    body: Annotated[str | None, _text(lines="text")] = None


class NewEmailTemplate(_Object, doc.EmailTemplate):
    logo: Annotated[str | None, _LINK] = None
    show_nylas_branding: Annotated[bool | None, _FLAG] = None
    booking_confirmed: NewConfirmedEmail = Field(default_factory=NewConfirmedEmail)


def _epoch(value: Any) -> int | None:
    return None if value is None else checked(unix_seconds, "", value)


class NewExpireAfter(_Object, doc.ExpireAfter):
    uses: Annotated[int | None, _whole(lo=1)] = None
    date: Annotated[int | None, BeforeValidator(_epoch)] = None


def _capacity(field: str, value: Any) -> None:
    # Seats per slot (scheduling.seats); -1 is unlimited, as v2 pages' event.capacity.
    if value != -1:
        check_int(field, value, lo=1, hi=10_000)


_COUNT = _whole(lo=1, hi=MAX_BOOKINGS_PER_PERIOD)
_WEEK_START = rule(check_one_of, frozenset(WEEKDAYS), required=False)


class NewBookingLimits(_Object, doc.BookingLimits):
    per_day: Annotated[int | None, _COUNT] = None
    per_week: Annotated[int | None, _COUNT] = None
    per_month: Annotated[int | None, _COUNT] = None


class NewDurationLimits(_Object, doc.DurationLimits):
    per_day: Annotated[int | None, _whole(lo=1, hi=MINUTES_PER_DAY)] = None
    per_week: Annotated[int | None, _whole(lo=1, hi=MINUTES_PER_WEEK)] = None


class NewScheduler(_Object, doc.Scheduler):
    available_days_in_future: Annotated[int | None, _whole(lo=1, hi=MAX_DAYS_IN_FUTURE)] = None
    min_booking_notice: Annotated[int | None, _whole(lo=0)] = None
    min_cancellation_notice: Annotated[int | None, _whole(lo=0)] = None
    cancellation_policy: Annotated[str | None, _text(lines="text")] = None
    # Links and redirects shown to guests and organizers: absolute http(s) only.
    rescheduling_url: Annotated[str | None, _LINK] = None
    cancellation_url: Annotated[str | None, _LINK] = None
    organizer_confirmation_url: Annotated[str | None, _LINK] = None
    confirmation_redirect_url: Annotated[str | None, _LINK] = None
    hide_rescheduling_options: Annotated[bool, _FLAG] = False
    hide_cancellation_options: Annotated[bool, _FLAG] = False
    hide_additional_guests: Annotated[bool, _FLAG] = False
    additional_fields: Annotated[dict[str, NewAdditionalField], rule(_field_keys)] = Field(
        default_factory=dict
    )
    email_template: NewEmailTemplate = Field(default_factory=NewEmailTemplate)
    capacity: Annotated[int | None, rule(_capacity)] = None
    expire_after: NewExpireAfter = Field(default_factory=NewExpireAfter)
    # Booking limits (scheduling.limits), a Slotwise extension.
    booking_limits: NewBookingLimits = Field(default_factory=NewBookingLimits)
    duration_limits: NewDurationLimits = Field(default_factory=NewDurationLimits)
    week_start: Annotated[str | None, _WEEK_START] = None


class NewParticipantAvailability(_Object, doc.ParticipantAvailability):
    calendar_ids: Annotated[list[str], _each(check_string, required=True)] = Field(
        default_factory=list
    )
    open_hours: Annotated[list[NewOpenHours], _OPEN_HOURS] = Field(default_factory=list)


class NewParticipantBooking(_Object, doc.ParticipantBooking):
    calendar_id: Annotated[str | None, _text(required=True)] = _CHECKED_DEFAULT


class NewParticipant(_Object, doc.ConfigurationParticipant):
    email: Annotated[str, rule(check_email)] = _CHECKED_DEFAULT
    # Bookings keep the organizer's name in a bounded column.
    name: Annotated[str | None, _text(most=MAX_NAME)] = None
    is_organizer: Annotated[bool, _FLAG] = False
    timezone: Annotated[str | None, _ZONE] = None
    availability: NewParticipantAvailability | None = None
    booking: NewParticipantBooking | None = None
    specific_time_availability: Annotated[list[NewSpecificTime], _OPEN_HOURS] = Field(
        default_factory=list
    )
    only_specific_time_availability: Annotated[bool, _FLAG] = False


def _participants(field: str, value: Any) -> None:
    if not as_list(field, value, required=True):
        raise field_error(field, "needs at least one participant")


def _group_only(field: str, value: Any) -> None:
    if value is not None:
        raise field_error(field, f'only a configuration of type "{doc.GROUP}" has one')


class NewConfiguration(doc.ConfigurationDocument):
    """A configuration object a client sent (whole, or merged with the stored one by a PUT):
    refused, naming the field, unless it can work. The fields are checked in order, then the
    rules that read the object as a whole (who organizes depends on the method)."""

    availability: NewAvailabilitySettings = _CHECKED_DEFAULT
    event_booking: NewEventBooking = _CHECKED_DEFAULT
    participants: Annotated[list[NewParticipant], rule(_participants)] = _CHECKED_DEFAULT
    scheduler: NewScheduler = Field(default_factory=NewScheduler)
    slug: Annotated[str | None, rule(check_slug)] = None
    requires_session_auth: Annotated[bool, _FLAG] = False
    appearance: Annotated[dict[str, Any] | None, rule(check_appearance)] = None
    name: Annotated[str | None, _text()] = None
    # A group configuration is NewGroupConfiguration (parse_configuration picks it by `type`,
    # and any other `type` is refused first, before the parts it would change the rules of).
    type: None = None
    group_booking: Annotated[None, rule(_group_only)] = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise problem("expected a JSON object", field="body")
        if data.get("type") is not None:
            raise problem(f'must be "{doc.GROUP}" or absent', field="type")
        return data

    @field_validator("participants", mode="after")
    @classmethod
    def _hosts(
        cls, participants: list[NewParticipant], info: ValidationInfo
    ) -> list[NewParticipant]:
        seen: set[str] = set()
        for i, p in enumerate(participants):
            email = p.email.strip()
            if email.lower() in seen:
                raise problem(f"{email} is listed twice", field=f"[{i}].email")
            seen.add(email.lower())
        # Who must organize depends on the method (`availability` is checked before this).
        availability = info.data.get("availability")
        if availability is not None and availability.availability_rules.is_round_robin:
            if not any(
                doc.was_sent(p.availability) and doc.was_sent(p.booking) for p in participants
            ):
                raise problem(
                    "a round-robin configuration needs a participant with availability and booking"
                )
            return participants
        organizers = [p for p in participants if p.is_organizer]
        if len(organizers) != 1:
            raise problem(
                f"exactly one participant must have is_organizer true (found {len(organizers)})"
            )
        if organizers[0].booking is None:
            raise problem("the organizer needs booking.calendar_id")
        return participants


class NewGroupBooking(_Object, doc.GroupBooking):
    calendar_id: Annotated[str, _text(required=True)] = _CHECKED_DEFAULT
    booking_type: Annotated[str, rule(check_one_of, BOOKING_TYPES, required=False)] = "booking"
    disable_emails: Annotated[bool, _FLAG] = False
    reminders: Annotated[list[NewReminder], rule(as_list)] = Field(default_factory=list)
    default_capacity: Annotated[int | None, _whole(lo=1, hi=MAX_GROUP_CAPACITY)] = None
    conferencing: Annotated[dict[str, Any] | None, rule(_conferencing)] = None


def _no_participants(field: str, value: Any) -> None:
    if value:
        raise field_error(field, "a group configuration has none (its group events do)")


def _a_part(field: str, value: Any) -> None:
    # Accepted as the SDKs send them back (a group configuration's are read from `name` and
    # `group_booking`: documents.ConfigurationDocument), so only their shape is checked.
    as_object(field, value)


class NewGroupConfiguration(doc.ConfigurationDocument):
    """A group configuration (`type: "group"`) a client sent: a name, `group_booking` with the
    calendar its events live in, and no participants (its group events have theirs)."""

    type: str = doc.GROUP  # parse_configuration picks this model by it
    name: Annotated[str, _text(required=True)] = _CHECKED_DEFAULT
    group_booking: NewGroupBooking = _CHECKED_DEFAULT
    scheduler: NewScheduler = Field(default_factory=NewScheduler)
    slug: Annotated[str | None, rule(check_slug)] = None
    requires_session_auth: Annotated[bool, _FLAG] = False
    appearance: Annotated[dict[str, Any] | None, rule(check_appearance)] = None

    @model_validator(mode="before")
    @classmethod
    def _as_sent(cls, data: Any) -> Any:
        # Before documents' reading fills in the parts a group configuration has none of.
        if not isinstance(data, dict):
            raise problem("expected a JSON object", field="body")
        checked(_no_participants, "participants", data.get("participants"))
        for key in ("availability", "event_booking"):
            checked(_a_part, key, data.get(key))
        return data


def parse_configuration(document: Any) -> doc.ConfigurationDocument:
    # One problem at a time, the first in the order of the fields: the message a client has
    # always had for a configuration (clients and the conformance vectors match on it).
    if isinstance(document, dict) and document.get("type") == doc.GROUP:
        return validate_model(NewGroupConfiguration, document, brackets=True, first_only=True)
    return validate_model(NewConfiguration, document, brackets=True, first_only=True)


class GrantLimitsDocument(Schema):
    """PUT /v3/grants/{grant}/scheduling/limits: the grant's limits across every configuration
    (scheduling.limits), counted in `timezone`; weeks start on `week_start`, else on the first
    day of `locale`'s week. A null reads as absent."""

    booking_limits: NewBookingLimits = Field(default_factory=NewBookingLimits)
    duration_limits: NewDurationLimits = Field(default_factory=NewDurationLimits)
    timezone: Annotated[str, _ZONE] = "UTC"
    locale: Annotated[str, _text(most=35)] = "en"
    week_start: Annotated[str | None, _WEEK_START] = None

    @model_validator(mode="before")
    @classmethod
    def _unset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise problem("expected a JSON object", field="body")
        return {k: v for k, v in data.items() if v is not None}

    def stored(self) -> dict[str, Any]:
        """The document as stored and answered: every key, unset limits as null (a client's
        unknown keys are not kept: this document is Slotwise's own)."""
        counts, minutes = self.booking_limits, self.duration_limits
        return {
            "booking_limits": {
                "per_day": counts.per_day,
                "per_week": counts.per_week,
                "per_month": counts.per_month,
            },
            "duration_limits": {"per_day": minutes.per_day, "per_week": minutes.per_week},
            "timezone": self.timezone,
            "locale": self.locale,
            "week_start": self.week_start,
        }


class ExplainQuery(Schema):
    """GET /v3/scheduling/availability/explain: the start times (`start_time`, repeated or
    comma-separated, at most 200) and, optionally, the listing's window."""

    start_time: list[int] = Field(default=None, validate_default=True)
    window_start: int | None = None
    window_end: int | None = None

    @field_validator("start_time", mode="before")
    @classmethod
    def _times(cls, value: Any) -> list[int]:
        return checked(time_list, "start_time", value)

    @field_validator("window_start", "window_end", mode="before")
    @classmethod
    def _edge(cls, value: Any, info: ValidationInfo) -> int | None:
        return None if value is None else checked(unix_seconds, str(info.field_name), value)

    @model_validator(mode="after")
    def _window(self) -> ExplainQuery:
        if self.window_start is None and max(self.start_time) - min(self.start_time) > (
            MAX_OFFER_WINDOW_DAYS * DAY
        ):
            raise problem(
                f"the times may span at most {MAX_OFFER_WINDOW_DAYS} days", field="start_time"
            )
        if (self.window_start is None) != (self.window_end is None):
            raise problem("give both window_start and window_end, or neither", field="window_end")
        if self.window_start is not None and self.window_end is not None:
            if self.window_end <= self.window_start:
                raise problem("must be after window_start", field="window_end")
            if self.window_end - self.window_start > MAX_OFFER_WINDOW_DAYS * DAY:
                raise problem(
                    f"the window may span at most {MAX_OFFER_WINDOW_DAYS} days", field="window_end"
                )
        return self

    @property
    def window(self) -> tuple[int, int] | None:
        if self.window_start is None or self.window_end is None:
            return None
        return self.window_start, self.window_end


# -- group events (a group configuration's seats) ---------------------------------------------

# The event's own fields, passed to the events rules (which check them, naming the field).
GROUP_EVENT_FIELDS = (
    "title",
    "description",
    "location",
    "conferencing",
    "when",
    "recurrence",
    "participants",
)


def _seats_of(value: Any) -> int | None:
    if value is None:
        return None
    number = checked(whole_number, "capacity", value)
    if number is None or not 1 <= number <= MAX_GROUP_CAPACITY:
        raise problem(f"expected a whole number from 1 to {MAX_GROUP_CAPACITY}", field="capacity")
    return number


class GroupEventBody(Schema):
    """POST, PUT and PATCH …/group-events[/{event_id}]: the event's fields (`event`, checked
    by the events rules) and its seats per occurrence. `organizer` is the configuration's
    owner whatever is sent."""

    capacity: int | None = None
    calendar_id: str | None = None
    event: dict[str, Any] = Field(default_factory=dict)

    _seats = field_validator("capacity", mode="before")(_seats_of)

    @field_validator("calendar_id", mode="before")
    @classmethod
    def _calendar(cls, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > 64:
            raise problem("expected a calendar id or primary", field="calendar_id")
        return value

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise problem("expected a JSON object", field="body")
        event = {k: data[k] for k in GROUP_EVENT_FIELDS if k in data}
        when = event.get("when")
        if isinstance(when, dict):
            # The editor sends "" for a zone it did not set: absent, the calendar's zone.
            event["when"] = {k: v for k, v in when.items() if v != ""}
        if "recurrence" in event and event["recurrence"] is None:
            event["recurrence"] = []
        return {**data, "event": event}


class ImportedGroupEvent(Schema):
    """One entry of POST …/import-group-events: an event of the calendar to sell seats in."""

    event_id: str = Field(default=None, validate_default=True)
    calendar_id: str | None = None
    capacity: int | None = None

    _seats = field_validator("capacity", mode="before")(_seats_of)

    @field_validator("event_id", mode="before")
    @classmethod
    def _event(cls, value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > 64:
            raise problem("is required (the id of an event of the calendar)", field="event_id")
        return value


class GroupTimeslot(TimeWindow):
    """POST /v3/scheduling/configurations/{id}/group-events/validate-timeslot, and the group
    part of a booking: the occurrence, by its event id."""

    event_id: str = Field(default=None, validate_default=True)

    @field_validator("event_id", mode="before")
    @classmethod
    def _event(cls, value: Any) -> str:
        if not isinstance(value, str) or not value or len(value) > 64:
            raise problem("is required (the group event of the time slot)", field="event_id")
        return value

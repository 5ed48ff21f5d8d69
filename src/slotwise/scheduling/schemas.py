"""Scheduling documents: configurations, sessions and the scheduler's availability query.

Parsed once at the face with `validate_model`; the wording of each problem is the one clients
have always seen (tests pin it).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from slotwise.documents import ConfigurationDocument
from slotwise.scheduling.checks import check_configuration, unix_seconds
from slotwise.validation import Schema, checked, problem, validate_model, whole_number

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


# -- the configuration object (reference §3): typed in slotwise.documents -------------------------


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


# -- group events (a group configuration's seats) ---------------------------------------------

MAX_GROUP_CAPACITY = 10_000
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


def _capacity(value: Any) -> int | None:
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

    _seats = field_validator("capacity", mode="before")(_capacity)

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

    _seats = field_validator("capacity", mode="before")(_capacity)

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

"""Scheduling documents: configurations, sessions and the scheduler's availability query.

Parsed once at the face with `validate_model`; the wording of each problem is the one clients
have always seen (tests pin it).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from slotwise.availability_api.request_fields import time_list
from slotwise.documents import ConfigurationDocument
from slotwise.scheduling.checks import check_configuration, unix_seconds
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

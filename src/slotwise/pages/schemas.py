"""A v2 page (`name`, `slug`, `config`), typed, each problem naming its field the v2 way
(`config.booking.opening_hours[0].days[2]`).

The page is stored as sent; `NewPage` refuses only what cannot work, and holds a page to what
its configuration can mean (durations and buffers on the 5-minute grid the engine uses).
Booleans are accepted as JSON booleans or the strings "true"/"false", as the v2 clients send;
the typed reading has them as booleans. Strings are judged by the configuration's rule
(`scheduling.checks.check_string`), for their length only unless a v2 text becomes a one-line
text of the configuration (event titles).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slotwise.errors import field_error
from slotwise.scheduling.checks import (
    MAX_DAYS_IN_FUTURE,
    MAX_DURATION_MINUTES,
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
    as_list,
    as_object,
    check_delivery_url,
    check_email,
    checked,
    problem,
    validate_model,
    whole_number,
)

DAY_LETTERS = ("M", "T", "W", "R", "F", "S", "U")  # Monday first, as v2 pages write them
SCHEDULING_METHODS = (
    "collective",
    "round-robin-maximize-fairness",
    "round-robin-maximize-availability",
)
CONFIRMATION_METHODS = ("automatic", "manual", "external")
FIELD_TYPES = (
    "text",
    "multi-line text",
    "email",
    "phone",
    "number",
    "dropdown",
    "checkbox",
    "multi-select list",
    "date",
)
FIELD_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ -]{0,99}$")
DELIVERY_METHODS = ("email", "webhook")
DELIVERY_RECIPIENTS = ("customer", "owner", "both")
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_LIST = 100
MAX_EVENT_PARTICIPANTS = 50
MINUTES_A_YEAR = 525_600


def as_bool(value: Any) -> bool | None:
    """A v2 boolean: true/false or the strings "true"/"false" (any case); None if unset."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if not (isinstance(value, str) and value.strip().lower() in {"true", "false"}):
        raise problem("expected true or false")
    return as_bool(value)


def _range(field: str, value: Any, *, lo: int, hi: int, multiple_of: int = 1) -> None:
    number = whole_number(field, value)
    if number is None:
        return
    if not lo <= number <= hi:
        raise field_error(field, f"must be between {lo} and {hi}, got {number}")
    if number % multiple_of:
        raise field_error(field, f"must be a multiple of {multiple_of}, got {number}")


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise field_error(field, f"must be one of {', '.join(allowed)}")


def _list(field: str, value: Any) -> None:
    as_list(field, value, most=MAX_LIST)


def _text(most: int = MAX_TEXT, **limits: Any) -> BeforeValidator:
    return rule(check_string, most=most, lines="any", **limits)


Flag = Annotated[bool | None, BeforeValidator(_bool)]
Listed = rule(_list)
_STEP = {"lo": 5, "hi": MAX_DURATION_MINUTES, "multiple_of": 5}


class _Part(BaseModel):
    """A JSON object of the page; the keys it does not name are the client's and kept."""

    model_config = ConfigDict(extra="allow")
    # What an item that is not an object is told; an absent part reads as empty unless it is
    # an item of a list (`absent_is_empty` False).
    shape: ClassVar[str] = "expected an object"
    absent_is_empty: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if data is None and cls.absent_is_empty:
            return {}
        if not isinstance(data, dict):
            raise problem(cls.shape)
        # A null means "not set": the field's default (what a rule must see is checked anyway).
        return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}


class CalendarChoice(_Part):
    """The calendars of one account (`config.calendar_ids.<account id>`)."""

    availability: Annotated[list[Annotated[str, _text(64, required=True)]], Listed] = Field(
        default_factory=list
    )
    booking: Annotated[str | None, _text(64)] = None


def _people(field: str, value: Any) -> None:
    people = as_list(field, value, most=MAX_LIST)
    if len(people) > MAX_EVENT_PARTICIPANTS:
        raise field_error(field, f"at most {MAX_EVENT_PARTICIPANTS} people")
    for i, person in enumerate(people):
        where = f"{field}[{i}]"
        if isinstance(person, str):
            check_email(where, person)
        elif isinstance(person, dict):
            check_email(f"{where}.email", person.get("email"))
            check_string(f"{where}.name", person.get("name"), most=MAX_NAME, lines="any")
        else:
            raise field_error(where, "expected an email address or {email, name}")


def _capacity(field: str, value: Any) -> None:
    if value != -1:
        _range(field, value, lo=1, hi=10_000)


class PageEvent(_Part):
    title: Annotated[str | None, rule(check_string, most=1000)] = None  # one line
    template_title: Annotated[str | None, rule(check_string, most=1000)] = None
    location: Annotated[str | None, _text(1000)] = None
    duration: Annotated[int | None, rule(_range, **_STEP)] = None
    capacity: Annotated[int | None, rule(_capacity)] = None
    # Email addresses, or {email, name}.
    participants: Annotated[list[str | dict[str, Any]], rule(_people)] = Field(default_factory=list)


def _day_letters(field: str, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise field_error(field, "expected a list of day letters M T W R F S U")
    for j, day in enumerate(value):
        if day not in DAY_LETTERS:
            raise field_error(f"{field}[{j}]", f"expected one of M T W R F S U, got {day!r}")


class OpeningHours(_Part):
    shape: ClassVar[str] = "expected {days, start, end}"
    absent_is_empty: ClassVar[bool] = False

    days: Annotated[list[str], rule(_day_letters)] = Field(default=None, validate_default=True)
    start: Annotated[str, rule(span_start)] = Field(default=None, validate_default=True)
    end: str = Field(default=None, validate_default=True)
    account_id: Annotated[str | None, _text(64)] = None

    @field_validator("end", mode="before")
    @classmethod
    def _after_start(cls, value: Any, info: ValidationInfo) -> Any:
        checked(span_end, "", value, info.data.get("start"))
        return value


def _field_name(field: str, value: Any) -> None:
    if not isinstance(value, str) or not FIELD_NAME_RE.match(value):
        raise field_error(field, "expected letters, digits, spaces, '-' or '_'")


def _options(field: str, value: Any, kind: Any, needed: str) -> None:
    options = as_list(field, value, most=MAX_LIST)
    for j, option in enumerate(options):
        check_string(f"{field}[{j}]", option, most=500, required=True, lines="any")
    if kind == needed and not options:
        raise field_error(field, f"a {kind} field needs a list of options")


class PageField(_Part):
    """One of `config.booking.additional_fields`: a question of the booking form."""

    shape: ClassVar[str] = "expected {name, label, type, required}"
    absent_is_empty: ClassVar[bool] = False

    name: Annotated[str, rule(_field_name)] = Field(default=None, validate_default=True)
    label: Annotated[str, _text(500, required=True)] = Field(default=None, validate_default=True)
    type: Annotated[str, rule(_choice, FIELD_TYPES)] = Field(default=None, validate_default=True)
    required: Flag = None
    order: Annotated[int | None, rule(_range, lo=-1_000_000, hi=1_000_000)] = None
    pattern: Annotated[str | None, rule(check_pattern, most=500, lines="any")] = None
    dropdown_options: list[str] = Field(default_factory=list, validate_default=True)
    multi_select_options: list[str] = Field(default_factory=list, validate_default=True)

    @field_validator("type", mode="before")
    @classmethod
    def _a_type(cls, value: Any) -> Any:
        if value is None:  # the choice is required here
            raise problem(f"must be one of {', '.join(FIELD_TYPES)}")
        return value

    @field_validator("dropdown_options", "multi_select_options", mode="before")
    @classmethod
    def _offered(cls, value: Any, info: ValidationInfo) -> Any:
        needed = "dropdown" if info.field_name == "dropdown_options" else "multi-select list"
        checked(_options, "", value, info.data.get("type"), needed)
        return value


class PageBooking(_Part):
    scheduling_method: Annotated[str | None, rule(_choice, SCHEDULING_METHODS)] = None
    confirmation_method: Annotated[str | None, rule(_choice, CONFIRMATION_METHODS)] = None
    min_booking_notice: Annotated[int | None, rule(_range, lo=0, hi=MINUTES_A_YEAR)] = None
    min_cancellation_notice: Annotated[int | None, rule(_range, lo=0, hi=MINUTES_A_YEAR)] = None
    min_buffer: Annotated[int | None, rule(_range, lo=0, hi=120, multiple_of=5)] = None
    available_days_in_future: Annotated[int | None, rule(_range, lo=1, hi=MAX_DAYS_IN_FUTURE)] = (
        None
    )
    interval_minutes: Annotated[int | None, rule(_range, **_STEP)] = None
    cancellation_policy: Annotated[str | None, _text()] = None
    name_field_hidden: Flag = None
    additional_guests_hidden: Flag = None
    calendar_invite_to_guests: Flag = None
    confirmation_emails_to_guests: Flag = None
    confirmation_emails_to_host: Flag = None
    opening_hours: Annotated[list[OpeningHours], Listed] = Field(default_factory=list)
    additional_fields: Annotated[list[PageField], Listed] = Field(default_factory=list)

    @field_validator("additional_fields", mode="after")
    @classmethod
    def _named_once(cls, fields: list[PageField]) -> list[PageField]:
        names: set[str] = set()
        for i, spec in enumerate(fields):
            if spec.name.lower() in names:
                raise problem(f"{spec.name!r} is used by another field", field=f"[{i}].name")
            names.add(spec.name.lower())
        return fields


_LOOK = _text(2000)


class PageAppearance(_Part):
    color: Annotated[str | None, _LOOK] = None
    company_name: Annotated[str | None, _LOOK] = None
    logo: Annotated[str | None, _LOOK] = None
    privacy_policy_redirect: Annotated[str | None, _LOOK] = None
    submit_text: Annotated[str | None, _LOOK] = None
    thank_you_redirect: Annotated[str | None, _LOOK] = None
    thank_you_text: Annotated[str | None, _LOOK] = None
    thank_you_text_secondary: Annotated[str | None, _LOOK] = None
    show_autoschedule: Flag = None
    show_nylas_branding: Flag = None
    show_timezone_options: Flag = None
    show_week_view: Flag = None


def _epoch(value: Any) -> int | None:
    return None if value is None else checked(unix_seconds, "", value)


class PageExpireAfter(_Part):
    uses: Annotated[int | None, rule(_range, lo=1, hi=1_000_000)] = None
    date: Annotated[int | None, BeforeValidator(_epoch)] = None


class PageReminder(_Part):
    absent_is_empty: ClassVar[bool] = False

    delivery_method: Annotated[str, rule(_choice, DELIVERY_METHODS)] = Field(
        default=None, validate_default=True
    )
    delivery_recipient: Annotated[str | None, rule(_choice, DELIVERY_RECIPIENTS)] = None
    time_before_event: Annotated[int, rule(_range, lo=1, hi=MINUTES_A_YEAR)] = Field(
        default=None, validate_default=True
    )
    email_subject: Annotated[str | None, _text(1000)] = None
    webhook_url: Annotated[str | None, _text(2000)] = None

    @field_validator("delivery_method", mode="before")
    @classmethod
    def _a_method(cls, value: Any) -> Any:
        if value is None:
            raise problem(f"must be one of {', '.join(DELIVERY_METHODS)}")
        return value

    @field_validator("time_before_event", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        if value is None:
            raise problem("is required (minutes)")
        return value

    @field_validator("webhook_url", mode="after")
    @classmethod
    def _reachable(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Slotwise will POST a webhook reminder there: a URL the outbound policy lets it reach.
        if info.data.get("delivery_method") == "webhook" and value:
            checked(check_delivery_url, "", value)
        return value


class PageConfig(_Part):
    timezone: Annotated[str | None, rule(optional_zone)] = None
    locale: Annotated[str | None, _text(35)] = None
    locale_for_guests: Annotated[str | None, _text(35)] = None
    disable_emails: Flag = None
    calendar_ids: Annotated[dict[str, CalendarChoice], rule(as_object)] = Field(
        default_factory=dict
    )
    event: PageEvent = Field(default_factory=PageEvent)
    booking: PageBooking = Field(default_factory=PageBooking)
    appearance: PageAppearance = Field(default_factory=PageAppearance)
    expire_after: PageExpireAfter = Field(default_factory=PageExpireAfter)
    reminders: Annotated[list[PageReminder], Listed] = Field(default_factory=list)


class NewPage(BaseModel):
    """What a page's writable keys must be (the rest of the body is not the page's)."""

    name: Annotated[str | None, _text(MAX_NAME)] = None
    slug: Annotated[str | None, rule(check_slug)] = None
    config: PageConfig = Field(default_factory=PageConfig)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise problem("expected a JSON object", field="body")
        return data


def check_page(body: Any) -> NewPage:
    """The page typed, or a 400 naming its first problem (in the order of the fields)."""
    return validate_model(NewPage, body, brackets=True, first_only=True)

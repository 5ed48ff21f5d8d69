"""Checks on a v2 page (`name`, `slug`, `config`), each failure naming its field the v2 way
(`config.booking.opening_hours[0].days[2]`).

The page is stored as sent; these checks refuse only what cannot work, and they hold a page to
what its configuration can mean (durations and buffers on the 5-minute grid the engine uses).
Booleans are accepted as JSON booleans or the strings "true"/"false", as the v2 clients send.
"""

from __future__ import annotations

import re
from typing import Any

from slotwise.errors import InvalidRequest, field_error
from slotwise.scheduling.checks import (
    MAX_DAYS_IN_FUTURE,
    MAX_DURATION_MINUTES,
    SLUG_RE,
    check_span,
    unix_seconds,
)
from slotwise.validation import (
    as_list,
    as_object,
    check_delivery_url,
    check_email,
    check_line,
    check_zone,
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
BOOKING_BOOLEANS = (
    "name_field_hidden",
    "additional_guests_hidden",
    "calendar_invite_to_guests",
    "confirmation_emails_to_guests",
    "confirmation_emails_to_host",
)
APPEARANCE_TEXTS = (
    "color",
    "company_name",
    "logo",
    "privacy_policy_redirect",
    "submit_text",
    "thank_you_redirect",
    "thank_you_text",
    "thank_you_text_secondary",
)
APPEARANCE_BOOLEANS = (
    "show_autoschedule",
    "show_nylas_branding",
    "show_timezone_options",
    "show_week_view",
)
OPTION_LISTS = (("dropdown_options", "dropdown"), ("multi_select_options", "multi-select list"))
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_LIST = 100
MAX_EVENT_PARTICIPANTS = 50


def _list(field: str, value: Any) -> list[Any]:
    return as_list(field, value, most=MAX_LIST)


def _text(field: str, value: Any, *, most: int = MAX_TEXT, required: bool = False) -> None:
    if value is None:
        if required:
            raise field_error(field, "is required")
        return
    if not isinstance(value, str):
        raise field_error(field, "expected a string")
    if required and not value.strip():
        raise field_error(field, "must not be empty")
    if len(value) > most:
        raise field_error(field, f"must be at most {most} characters")


def as_bool(value: Any) -> bool | None:
    """A v2 boolean: true/false or the strings "true"/"false" (any case); None if unset."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _bool(field: str, value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    if not (isinstance(value, str) and value.strip().lower() in {"true", "false"}):
        raise field_error(field, "expected true or false")


def _int(field: str, value: Any, *, lo: int, hi: int, multiple_of: int = 1) -> None:
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


def check_page(body: dict[str, Any]) -> None:
    """Refuse a page that cannot work (InvalidRequest naming the field)."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    _text("name", body.get("name"), most=MAX_NAME)
    slug = body.get("slug")
    if slug is not None and (not isinstance(slug, str) or not SLUG_RE.match(slug)):
        raise field_error("slug", "use letters, digits, '-' and '_' only (at most 200)")
    config = as_object("config", body.get("config"))
    if config.get("timezone") is not None:
        check_zone("config.timezone", config.get("timezone"))
    for key in ("locale", "locale_for_guests"):
        _text(f"config.{key}", config.get(key), most=35)
    _bool("config.disable_emails", config.get("disable_emails"))
    _check_calendar_ids(config.get("calendar_ids"))
    _check_event(as_object("config.event", config.get("event")))
    _check_booking(as_object("config.booking", config.get("booking")))
    _check_appearance(as_object("config.appearance", config.get("appearance")))
    expire = as_object("config.expire_after", config.get("expire_after"))
    _int("config.expire_after.uses", expire.get("uses"), lo=1, hi=1_000_000)
    if expire.get("date") is not None:
        unix_seconds("config.expire_after.date", expire.get("date"))
    _check_reminders(config.get("reminders"))


def _check_calendar_ids(value: Any) -> None:
    for account, entry in as_object("config.calendar_ids", value).items():
        where = f"config.calendar_ids.{account}"
        entry = as_object(where, entry)
        for i, calendar in enumerate(_list(f"{where}.availability", entry.get("availability"))):
            _text(f"{where}.availability[{i}]", calendar, most=64, required=True)
        _text(f"{where}.booking", entry.get("booking"), most=64)


def _check_event(event: dict[str, Any]) -> None:
    for key in ("title", "template_title"):  # event titles: one line
        _text(f"config.event.{key}", event.get(key), most=1000)
        check_line(f"config.event.{key}", event.get(key))
    _text("config.event.location", event.get("location"), most=1000)
    _int(
        "config.event.duration", event.get("duration"), lo=5, hi=MAX_DURATION_MINUTES, multiple_of=5
    )
    capacity = event.get("capacity")
    if capacity != -1:
        _int("config.event.capacity", capacity, lo=1, hi=10_000)
    people = _list("config.event.participants", event.get("participants"))
    if len(people) > MAX_EVENT_PARTICIPANTS:
        raise field_error("config.event.participants", f"at most {MAX_EVENT_PARTICIPANTS} people")
    for i, person in enumerate(people):
        where = f"config.event.participants[{i}]"
        if isinstance(person, str):
            check_email(where, person)
        elif isinstance(person, dict):
            check_email(f"{where}.email", person.get("email"))
            _text(f"{where}.name", person.get("name"), most=MAX_NAME)
        else:
            raise field_error(where, "expected an email address or {email, name}")


def _check_booking(booking: dict[str, Any]) -> None:
    where = "config.booking"
    _choice(f"{where}.scheduling_method", booking.get("scheduling_method"), SCHEDULING_METHODS)
    _choice(
        f"{where}.confirmation_method", booking.get("confirmation_method"), CONFIRMATION_METHODS
    )
    _int(f"{where}.min_booking_notice", booking.get("min_booking_notice"), lo=0, hi=525_600)
    _int(
        f"{where}.min_cancellation_notice", booking.get("min_cancellation_notice"), lo=0, hi=525_600
    )
    _int(f"{where}.min_buffer", booking.get("min_buffer"), lo=0, hi=120, multiple_of=5)
    _int(
        f"{where}.available_days_in_future",
        booking.get("available_days_in_future"),
        lo=1,
        hi=MAX_DAYS_IN_FUTURE,
    )
    _int(
        f"{where}.interval_minutes",
        booking.get("interval_minutes"),
        lo=5,
        hi=MAX_DURATION_MINUTES,
        multiple_of=5,
    )
    _text(f"{where}.cancellation_policy", booking.get("cancellation_policy"))
    for key in BOOKING_BOOLEANS:
        _bool(f"{where}.{key}", booking.get(key))
    for i, entry in enumerate(_list(f"{where}.opening_hours", booking.get("opening_hours"))):
        _check_opening_hours(f"{where}.opening_hours[{i}]", entry)
    names: set[str] = set()
    for i, spec in enumerate(_list(f"{where}.additional_fields", booking.get("additional_fields"))):
        _check_field(f"{where}.additional_fields[{i}]", spec, names)


def _check_opening_hours(where: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise field_error(where, "expected {days, start, end}")
    days = entry.get("days")
    if not isinstance(days, list) or not days:
        raise field_error(f"{where}.days", "expected a list of day letters M T W R F S U")
    for j, day in enumerate(days):
        if day not in DAY_LETTERS:
            raise field_error(f"{where}.days[{j}]", f"expected one of M T W R F S U, got {day!r}")
    check_span(where, entry)
    _text(f"{where}.account_id", entry.get("account_id"), most=64)


def _check_field(where: str, spec: Any, names: set[str]) -> None:
    if not isinstance(spec, dict):
        raise field_error(where, "expected {name, label, type, required}")
    name = spec.get("name")
    if not isinstance(name, str) or not FIELD_NAME_RE.match(name):
        raise field_error(f"{where}.name", "expected letters, digits, spaces, '-' or '_'")
    if name.lower() in names:
        raise field_error(f"{where}.name", f"{name!r} is used by another field")
    names.add(name.lower())
    _text(f"{where}.label", spec.get("label"), most=500, required=True)
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise field_error(f"{where}.type", f"must be one of {', '.join(FIELD_TYPES)}")
    _bool(f"{where}.required", spec.get("required"))
    _int(f"{where}.order", spec.get("order"), lo=-1_000_000, hi=1_000_000)
    pattern = spec.get("pattern")
    _text(f"{where}.pattern", pattern, most=500)
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise field_error(f"{where}.pattern", f"not a regular expression ({exc})") from None
    for key, needed in (
        ("dropdown_options", "dropdown"),
        ("multi_select_options", "multi-select list"),
    ):
        options = _list(f"{where}.{key}", spec.get(key))
        for j, option in enumerate(options):
            _text(f"{where}.{key}[{j}]", option, most=500, required=True)
        if kind == needed and not options:
            raise field_error(f"{where}.{key}", f"a {kind} field needs a list of options")


def _check_appearance(appearance: dict[str, Any]) -> None:
    for key in APPEARANCE_TEXTS:
        _text(f"config.appearance.{key}", appearance.get(key), most=2000)
    for key in APPEARANCE_BOOLEANS:
        _bool(f"config.appearance.{key}", appearance.get(key))


def _check_reminders(value: Any) -> None:
    for i, entry in enumerate(_list("config.reminders", value)):
        where = f"config.reminders[{i}]"
        if not isinstance(entry, dict):
            raise field_error(where, "expected an object")
        method = entry.get("delivery_method")
        if method not in DELIVERY_METHODS:
            raise field_error(f"{where}.delivery_method", "must be one of email, webhook")
        _choice(f"{where}.delivery_recipient", entry.get("delivery_recipient"), DELIVERY_RECIPIENTS)
        if entry.get("time_before_event") is None:
            raise field_error(f"{where}.time_before_event", "is required (minutes)")
        _int(f"{where}.time_before_event", entry.get("time_before_event"), lo=1, hi=525_600)
        _text(f"{where}.email_subject", entry.get("email_subject"), most=1000)
        _text(f"{where}.webhook_url", entry.get("webhook_url"), most=2000)
        if method == "webhook" and entry.get("webhook_url"):
            check_delivery_url(f"{where}.webhook_url", entry["webhook_url"])

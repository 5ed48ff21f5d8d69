"""Checks on a configuration object (reference §3), each failure naming its field.

The object is kept as the client sent it; these checks only refuse what cannot work. They run
on the whole object after a PUT has been merged, so a partial update is checked in context.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slotwise.documents import ROUND_ROBIN_METHODS
from slotwise.errors import InvalidRequest, field_error
from slotwise.validation import (
    MAX_EPOCH,
    as_list,
    as_object,
    check_delivery_url,
    check_email,
    check_http_url,
    check_line,
    check_text,
    check_zone,
    whole_number,
)

METHODS = frozenset({"collective"}) | ROUND_ROBIN_METHODS
BOOKING_TYPES = frozenset({"booking", "organizer-confirmation"})
FIELD_TYPES = frozenset(
    {
        "text",
        "multi_line_text",
        "email",
        "phone_number",
        "dropdown",
        "date",
        "checkbox",
        "radio_button",
        "multi_select",
        "metadata",
    }
)
TYPES_WITH_OPTIONS = frozenset({"dropdown", "radio_button", "multi_select"})
REMINDER_TYPES = frozenset({"email", "webhook"})
REMINDER_RECIPIENTS = frozenset({"all", "host", "guest"})
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$")
HHMM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")

MAX_DURATION_MINUTES = 24 * 60
MAX_DAYS_IN_FUTURE = 366
MAX_NAME = 320  # bookings.organizer_name
MAX_GROUP_ID = 500  # configurations.round_robin_group_id


def _is_one_of(value: Any, allowed: frozenset[str]) -> bool:
    return isinstance(value, str) and value in allowed


def is_round_robin(document: dict[str, Any]) -> bool:
    return availability_method(document) in ROUND_ROBIN_METHODS


def availability_method(document: dict[str, Any]) -> str:
    rules = (document.get("availability") or {}).get("availability_rules") or {}
    method = rules.get("availability_method")
    return str(method) if method else "collective"


def round_robin_group_id(document: dict[str, Any]) -> str | None:
    rules = (document.get("availability") or {}).get("availability_rules") or {}
    # Python sends round_robin_group_id, Node round_robin_event_id.
    value = rules.get("round_robin_group_id") or rules.get("round_robin_event_id")
    return str(value) if value else None


def unix_seconds(field: str, value: Any) -> int:
    """Unix seconds from a JSON number or a numeric string (as the SDKs send them)."""
    if isinstance(value, bool) or value is None:
        raise field_error(field, "is required (Unix seconds)")
    number: float | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | str):
        try:
            number = float(value) if isinstance(value, str) else value
        except ValueError:
            raise field_error(field, f"expected Unix seconds, got {value!r}") from None
    else:
        raise field_error(field, f"expected Unix seconds, got {value!r}")
    if number != number or not 0 <= number <= MAX_EPOCH:  # NaN, infinities, out of range
        raise field_error(field, f"expected Unix seconds between 0 and {MAX_EPOCH}")
    return int(number)


def hhmm_minutes(field: str, value: Any) -> int:
    """ "H:MM" or "HH:MM" as minutes after midnight; "24:00" is the end of the day."""
    match = HHMM_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise field_error(field, f'expected a time like "9:00", got {value!r}')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise field_error(field, f"not a time of day: {value!r}")
    return hours * 60 + minutes


def check_date(field: str, value: Any) -> None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        raise field_error(field, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _int(
    field: str,
    value: Any,
    *,
    lo: int | None = None,
    hi: int | None = None,
    multiple_of: int | None = None,
) -> int | None:
    number = whole_number(field, value)
    if number is None:
        return None
    if lo is not None and number < lo:
        raise field_error(field, f"must be at least {lo}, got {number}")
    if hi is not None and number > hi:
        raise field_error(field, f"must be at most {hi}, got {number}")
    if multiple_of and number % multiple_of:
        raise field_error(field, f"must be a multiple of {multiple_of}, got {number}")
    return number


def _bool(field: str, value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        raise field_error(field, "expected true or false")


def _str(
    field: str,
    value: Any,
    *,
    required: bool = False,
    most: int | None = None,
    multiline: bool = False,
) -> None:
    """A string (or None unless required). One line unless `multiline`: every string of a
    configuration is shown to someone, in a page, an invite or an email header."""
    if value is None:
        if required:
            raise field_error(field, "is required")
        return
    if not isinstance(value, str):
        raise field_error(field, "expected a string")
    if required and not value.strip():
        raise field_error(field, "must not be empty")
    if most is not None and len(value) > most:
        raise field_error(field, f"must be at most {most} characters")
    (check_text if multiline else check_line)(field, value)


def check_span(where: str, entry: dict[str, Any]) -> None:
    """`start` and `end` of an open-hours entry, "H:MM"; an end of 0:00 or 24:00 ends the day."""
    start = hhmm_minutes(f"{where}.start", entry.get("start"))
    end = hhmm_minutes(f"{where}.end", entry.get("end"))
    if start >= 24 * 60:
        raise field_error(f"{where}.start", "must be before 24:00")
    # "0:00" and "24:00" as the end both mean the midnight that ends the day.
    if end not in (0, 24 * 60) and end <= start:
        raise field_error(f"{where}.end", "must be after start")


def check_open_hours(field: str, value: Any) -> None:
    for i, entry in enumerate(as_list(field, value)):
        where = f"{field}[{i}]"
        entry = as_object(where, entry, required=True)
        days = as_list(f"{where}.days", entry.get("days"), required=True)
        for day in days:
            if day is None:
                raise field_error(f"{where}.days", "expected day numbers 0 (Sunday) to 6")
            _int(f"{where}.days", day, lo=0, hi=6)
        check_span(where, entry)
        if entry.get("timezone") is not None:
            check_zone(f"{where}.timezone", entry.get("timezone"))
        for exdate in as_list(f"{where}.exdates", entry.get("exdates")):
            check_date(f"{where}.exdates", exdate)


def check_specific_times(field: str, value: Any) -> None:
    for i, entry in enumerate(as_list(field, value)):
        where = f"{field}[{i}]"
        entry = as_object(where, entry, required=True)
        check_date(f"{where}.date", entry.get("date"))
        check_span(where, entry)
        if entry.get("timezone") is not None:
            check_zone(f"{where}.timezone", entry.get("timezone"))


def check_additional_fields(field: str, value: Any) -> None:
    for key, spec in as_object(field, value).items():
        where = f"{field}.{key}"
        check_line(field, key)
        spec = as_object(where, spec, required=True)
        _str(f"{where}.label", spec.get("label"), required=True)
        kind = spec.get("type")
        if not _is_one_of(kind, FIELD_TYPES):
            raise field_error(f"{where}.type", f"must be one of {sorted(FIELD_TYPES)}")
        if not isinstance(spec.get("required"), bool):
            raise field_error(f"{where}.required", "is required (true or false)")
        pattern = spec.get("pattern")
        if pattern is not None:
            _str(f"{where}.pattern", pattern)
            try:
                re.compile(pattern)
            except re.error as exc:
                raise field_error(f"{where}.pattern", f"not a regular expression ({exc})") from None
        _int(f"{where}.order", spec.get("order"))
        options = spec.get("options")
        if kind in TYPES_WITH_OPTIONS and (not isinstance(options, list) or not options):
            raise field_error(f"{where}.options", f"a {kind} needs a list of options")
        if options is not None and (
            not isinstance(options, list) or not all(isinstance(o, str) for o in options)
        ):
            raise field_error(f"{where}.options", "expected a list of strings")
        for option in options or []:
            check_line(f"{where}.options", option)
        default = spec.get("default")
        for item in default if isinstance(default, list) else [default]:
            check_line(f"{where}.default", item)


def check_reminders(field: str, value: Any) -> None:
    for i, entry in enumerate(as_list(field, value)):
        where = f"{field}[{i}]"
        entry = as_object(where, entry, required=True)
        if not _is_one_of(entry.get("type"), REMINDER_TYPES):
            raise field_error(f"{where}.type", f"must be one of {sorted(REMINDER_TYPES)}")
        if entry.get("minutes_before_event") is None:
            raise field_error(f"{where}.minutes_before_event", "is required")
        _int(f"{where}.minutes_before_event", entry.get("minutes_before_event"), lo=1)
        recipient = entry.get("recipient")
        if recipient is not None and not _is_one_of(recipient, REMINDER_RECIPIENTS):
            raise field_error(f"{where}.recipient", f"must be one of {sorted(REMINDER_RECIPIENTS)}")
        _str(f"{where}.email_subject", entry.get("email_subject"))
        if entry.get("type") == "webhook":
            check_delivery_url(f"{where}.webhook_url", entry.get("webhook_url"))


def check_participants_shape(document: dict[str, Any]) -> list[dict[str, Any]]:
    participants = as_list("participants", document.get("participants"), required=True)
    if not participants:
        raise field_error("participants", "needs at least one participant")
    seen: set[str] = set()
    for i, p in enumerate(participants):
        where = f"participants[{i}]"
        p = as_object(where, p, required=True)
        email = check_email(f"{where}.email", p.get("email"))
        if email.lower() in seen:
            raise field_error(f"{where}.email", f"{email} is listed twice")
        seen.add(email.lower())
        # Bookings keep the organizer's name in a bounded column.
        _str(f"{where}.name", p.get("name"), most=MAX_NAME)
        _bool(f"{where}.is_organizer", p.get("is_organizer"))
        if p.get("timezone") is not None:
            check_zone(f"{where}.timezone", p.get("timezone"))
        availability = p.get("availability")
        if availability is not None:
            availability = as_object(f"{where}.availability", availability)
            ids = as_list(f"{where}.availability.calendar_ids", availability.get("calendar_ids"))
            for cal in ids:
                _str(f"{where}.availability.calendar_ids", cal, required=True)
            check_open_hours(f"{where}.availability.open_hours", availability.get("open_hours"))
        booking = p.get("booking")
        if booking is not None:
            booking = as_object(f"{where}.booking", booking)
            _str(f"{where}.booking.calendar_id", booking.get("calendar_id"), required=True)
        check_specific_times(
            f"{where}.specific_time_availability", p.get("specific_time_availability")
        )
        _bool(f"{where}.only_specific_time_availability", p.get("only_specific_time_availability"))
    organizers = [p for p in participants if p.get("is_organizer")]
    if not is_round_robin(document):
        if len(organizers) != 1:
            raise field_error(
                "participants",
                f"exactly one participant must have is_organizer true (found {len(organizers)})",
            )
        if not organizers[0].get("booking"):
            raise field_error("participants", "the organizer needs booking.calendar_id")
    else:
        hosts = [p for p in participants if p.get("booking") and p.get("availability")]
        if not hosts:
            raise field_error(
                "participants",
                "a round-robin configuration needs a participant with availability and booking",
            )
    return participants


def check_availability(document: dict[str, Any]) -> None:
    availability = as_object("availability", document.get("availability"), required=True)
    if availability.get("duration_minutes") is None:
        raise field_error("availability.duration_minutes", "is required")
    _int(
        "availability.duration_minutes",
        availability.get("duration_minutes"),
        lo=5,
        hi=MAX_DURATION_MINUTES,
        multiple_of=5,
    )
    _int(
        "availability.interval_minutes",
        availability.get("interval_minutes"),
        lo=5,
        hi=MAX_DURATION_MINUTES,
        multiple_of=5,
    )
    _int("availability.round_to", availability.get("round_to"), lo=5, hi=60, multiple_of=5)
    rules = as_object("availability.availability_rules", availability.get("availability_rules"))
    method = rules.get("availability_method")
    if method is not None and not _is_one_of(method, METHODS):
        raise field_error(
            "availability.availability_rules.availability_method",
            f"must be one of {sorted(METHODS)}",
        )
    buffer = as_object("availability.availability_rules.buffer", rules.get("buffer"))
    for side in ("before", "after"):
        _int(
            f"availability.availability_rules.buffer.{side}",
            buffer.get(side),
            lo=0,
            hi=120,
            multiple_of=5,
        )
    check_open_hours(
        "availability.availability_rules.default_open_hours", rules.get("default_open_hours")
    )
    check_specific_times(
        "availability.availability_rules.default_specific_time_availability",
        rules.get("default_specific_time_availability"),
    )
    _bool("availability.availability_rules.tentative_as_busy", rules.get("tentative_as_busy"))
    _bool("availability.availability_rules.strict_rotation", rules.get("strict_rotation"))
    for key in ("round_robin_group_id", "round_robin_event_id"):
        _str(f"availability.availability_rules.{key}", rules.get(key), most=MAX_GROUP_ID)


def check_event_booking(document: dict[str, Any]) -> None:
    booking = as_object("event_booking", document.get("event_booking"), required=True)
    _str("event_booking.title", booking.get("title"), required=True)
    _str("event_booking.location", booking.get("location"))
    _str("event_booking.description", booking.get("description"), multiline=True)
    if booking.get("timezone") is not None:
        check_zone("event_booking.timezone", booking.get("timezone"))
    kind = booking.get("booking_type")
    if kind is not None and not _is_one_of(kind, BOOKING_TYPES):
        raise field_error("event_booking.booking_type", f"must be one of {sorted(BOOKING_TYPES)}")
    for key in ("disable_emails", "hide_participants", "notify_participants"):
        _bool(f"event_booking.{key}", booking.get(key))
    # Slotwise extensions a v2 page maps onto (bookings.titles, notifications.booking_emails).
    _str("event_booking.template_title", booking.get("template_title"), most=1000)
    _str("event_booking.organizer_language", booking.get("organizer_language"), most=35)
    conferencing = as_object("event_booking.conferencing", booking.get("conferencing"))
    if conferencing:
        _str("event_booking.conferencing.provider", conferencing.get("provider"), required=True)
    check_reminders("event_booking.reminders", booking.get("reminders"))


def check_scheduler(document: dict[str, Any]) -> None:
    scheduler = as_object("scheduler", document.get("scheduler"))
    _int(
        "scheduler.available_days_in_future",
        scheduler.get("available_days_in_future"),
        lo=1,
        hi=MAX_DAYS_IN_FUTURE,
    )
    _int("scheduler.min_booking_notice", scheduler.get("min_booking_notice"), lo=0)
    _int("scheduler.min_cancellation_notice", scheduler.get("min_cancellation_notice"), lo=0)
    _str("scheduler.cancellation_policy", scheduler.get("cancellation_policy"), multiline=True)
    # Links and redirects shown to guests and organizers: absolute http(s) only.
    for key in (
        "rescheduling_url",
        "cancellation_url",
        "organizer_confirmation_url",
        "confirmation_redirect_url",
    ):
        _link(f"scheduler.{key}", scheduler.get(key))
    for key in ("hide_rescheduling_options", "hide_cancellation_options", "hide_additional_guests"):
        _bool(f"scheduler.{key}", scheduler.get(key))
    check_additional_fields("scheduler.additional_fields", scheduler.get("additional_fields"))
    check_email_template(scheduler.get("email_template"))
    # Seats per slot (scheduling.seats); -1 is unlimited, as v2 pages' event.capacity.
    if scheduler.get("capacity") != -1:
        _int("scheduler.capacity", scheduler.get("capacity"), lo=1, hi=10_000)
    expire = as_object("scheduler.expire_after", scheduler.get("expire_after"))
    _int("scheduler.expire_after.uses", expire.get("uses"), lo=1)
    if expire.get("date") is not None:
        unix_seconds("scheduler.expire_after.date", expire.get("date"))


def check_email_template(value: Any) -> None:
    template = as_object("scheduler.email_template", value)
    _link("scheduler.email_template.logo", template.get("logo"))
    _bool("scheduler.email_template.show_nylas_branding", template.get("show_nylas_branding"))
    confirmed = as_object(
        "scheduler.email_template.booking_confirmed", template.get("booking_confirmed")
    )
    where = "scheduler.email_template.booking_confirmed"
    _str(f"{where}.title", confirmed.get("title"))  # an email subject
    _str(f"{where}.body", confirmed.get("body"), multiline=True)


def check_appearance(value: Any) -> None:
    """User-defined keys, shown by the booking UI: one-line strings; `…url` ones are links."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise field_error("appearance", "expected an object")
    for key, item in value.items():
        check_line("appearance", key)
        if isinstance(item, str):
            if str(key).lower().endswith("url"):
                _link(f"appearance.{key}", item)
            else:
                check_line(f"appearance.{key}", item)


def check_configuration(document: dict[str, Any]) -> None:
    """Refuse a configuration object that cannot work (InvalidRequest naming the field)."""
    if not isinstance(document, dict):
        raise InvalidRequest("body: expected a JSON object")
    check_availability(document)
    check_event_booking(document)
    check_participants_shape(document)
    check_scheduler(document)
    slug = document.get("slug")
    if slug is not None and (not isinstance(slug, str) or not SLUG_RE.match(slug)):
        raise field_error("slug", "use letters, digits, '-' and '_' only (at most 200)")
    _bool("requires_session_auth", document.get("requires_session_auth"))
    check_appearance(document.get("appearance"))
    _str("name", document.get("name"))


def _link(field: str, value: Any) -> None:
    """An optional link: absolute http(s), or "" for none (the scheduler editor sends "" for
    every link left blank; whoever reads a link treats "" as none)."""
    if value != "":
        check_http_url(field, value)

"""What the pages show, computed from the domain: zones, weeks of slots, times, form fields.

All times stay UTC epoch seconds until they are formatted here in the guest's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from slotwise.availability import zones
from slotwise.availability.zones import is_zone
from slotwise.db.models import Booking, Configuration
from slotwise.documents import read_document
from slotwise.i18n import formats
from slotwise.i18n.languages import Language
from slotwise.scheduling.offer import (
    DAY,
    bookable_window,
    compute_offer,
    duration_seconds,
    organizer_timezone,
)
from slotwise.scheduling.service import hosts_of

DAYS_PER_PAGE = 7
MAX_DAYS_AHEAD = 400

# Offered in the zone picker; any other valid IANA zone asked for by `tz` is added to it.
COMMON_ZONES = (
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Mexico_City",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Atlantic/Reykjavik",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def guest_zone(requested: str | None, default: str) -> str:
    """The zone the page shows times in: `tz` if it is a known zone, else `default`."""
    if requested and is_zone(requested):
        return requested
    return default if is_zone(default) else "UTC"


def zone_options(selected: str) -> list[str]:
    return sorted({*COMMON_ZONES, selected}, key=lambda z: (z != "UTC", z))


def local_day(ts: int, zone: str) -> date:
    return datetime.fromtimestamp(ts, zones.zone(zone)).date()


def parse_day(text: str | None, today: date) -> date:
    """`from` as a date within [today, today + 400 days]; anything else reads as today."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today
    return min(max(day, today), today + timedelta(days=MAX_DAYS_AHEAD))


def _local(ts: int, zone: str) -> datetime:
    return datetime.fromtimestamp(ts, zones.zone(zone))


def time_label(ts: int, zone: str, language: Language) -> str:
    return formats.time_label(_local(ts, zone), language)


def moment_label(ts: int, zone: str, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00'."""
    return formats.moment_label(_local(ts, zone), language)


def when_label(start: int, end: int, zone: str, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00–09:30'."""
    return formats.span_label(_local(start, zone), _local(end, zone), language)


@dataclass(frozen=True)
class SlotView:
    start: int
    label: str


@dataclass(frozen=True)
class DayView:
    iso: str
    label: str
    slots: list[SlotView]


@dataclass(frozen=True)
class WeekView:
    first: date
    days: list[DayView]
    previous: str | None  # the `from` of the page before, if any
    next: str | None
    range_label: str

    @property
    def empty(self) -> bool:
        return not any(d.slots for d in self.days)


def week(
    session: Session,
    config: Configuration,
    zone: str,
    first: date,
    now: int,
    language: Language,
    *,
    exclude_event_ids: tuple[str, ...] = (),
    skip_start: int | None = None,
) -> WeekView:
    """The offered slots of the `DAYS_PER_PAGE` local days from `first`, grouped by day.

    `skip_start` leaves out the slot a booking being rescheduled already has.
    """
    tz = zones.zone(zone)
    last = first + timedelta(days=DAYS_PER_PAGE)
    start, end = zones.midnight(first, tz), zones.midnight(last, tz)
    offer = compute_offer(session, config, start, end, now=now, exclude_event_ids=exclude_event_ids)
    by_day: dict[date, list[SlotView]] = {}
    for slot in offer.result.slots:
        if slot.start == skip_start:
            continue
        by_day.setdefault(local_day(slot.start, zone), []).append(
            SlotView(slot.start, time_label(slot.start, zone, language))
        )
    days = [
        DayView(d.isoformat(), formats.day_label(d, language), by_day.get(d, []))
        for d in (first + timedelta(days=i) for i in range(DAYS_PER_PAGE))
    ]
    today = local_day(now, zone)
    _, horizon = bookable_window(read_document(config), now, now + MAX_DAYS_AHEAD * DAY, now)
    previous = None
    if first > today:
        previous = max(today, first - timedelta(days=DAYS_PER_PAGE)).isoformat()
    following = last.isoformat() if end < horizon else None
    final = last - timedelta(days=1)
    span = f"{formats.day_label(first, language)} – {formats.day_label(final, language)}"
    return WeekView(first, days, previous, following, span)


def slot_is_offered(
    session: Session,
    config: Configuration,
    start: int,
    now: int,
    *,
    exclude_event_ids: tuple[str, ...] = (),
) -> bool:
    end = start + duration_seconds(read_document(config))
    offer = compute_offer(session, config, start, end, now=now, exclude_event_ids=exclude_event_ids)
    return any(s.start == start and s.end == end for s in offer.result.slots)


def organizer_label(session: Session, config: Configuration) -> str:
    """Who the guest meets: the organizer, or the hosts' names for a round-robin page."""
    hosts = hosts_of(session, read_document(config))
    organizer = next((h for h in hosts if h.is_organizer), None)
    chosen = [organizer] if organizer is not None else hosts
    names = [h.name or h.grant.name or h.email for h in chosen]
    return ", ".join(n for n in names if n)


@dataclass(frozen=True)
class PageInfo:
    """The configuration as the guest sees it."""

    title: str
    description: str
    location: str
    minutes: int
    organizer: str
    organizer_zone: str
    pending_type: bool
    policy: str
    scheduler: dict[str, Any] = field(default_factory=dict)


def page_info(session: Session, config: Configuration, language: Language) -> PageInfo:
    document = read_document(config)
    event_booking = document.event_booking
    return PageInfo(
        title=event_booking.title or language.gettext("Meeting"),
        description=event_booking.description or "",
        location=event_booking.location or "",
        minutes=duration_seconds(document) // 60,
        organizer=organizer_label(session, config),
        organizer_zone=organizer_timezone(document),
        pending_type=event_booking.booking_type == "organizer-confirmation",
        policy=document.scheduler.cancellation_policy or "",
        # As stored, not typed: the web component reads keys Slotwise does not know.
        scheduler=config.document.get("scheduler") or {},
    )


@dataclass(frozen=True)
class FieldView:
    """One of `scheduler.additional_fields`, ready for the form."""

    key: str
    name: str  # the form control's name
    label: str
    type: str
    required: bool
    options: list[str]
    value: Any  # str, or list[str] for multi_select, or bool for checkbox


def form_fields(config: Configuration, submitted: dict[str, list[str]] | None) -> list[FieldView]:
    """The additional fields in `order`, with the submitted (else default) values."""
    definitions = read_document(config).scheduler.additional_fields
    ordered = sorted(
        definitions.items(),
        key=lambda item: (_order(item[1].get("order")), item[0]),
    )
    views = []
    for key, spec in ordered:
        kind = str(spec.get("type") or "text")
        if kind == "metadata":  # not shown to guests
            continue
        name = f"field.{key}"
        options = spec.get("options") or []
        options = [str(o) for o in (options if isinstance(options, list) else [options])]
        value: Any
        if submitted is not None:
            given = submitted.get(name, [])
            if kind == "multi_select":
                value = given
            elif kind == "checkbox":
                value = bool(given)
            else:
                value = given[0] if given else ""
        else:
            default = spec.get("default")
            if kind == "multi_select":
                value = [str(v) for v in default] if isinstance(default, list) else []
            elif kind == "checkbox":
                value = default is True or str(default).lower() == "true"
            else:
                value = "" if default is None else str(default)
        views.append(
            FieldView(
                key=key,
                name=name,
                label=str(spec.get("label") or key),
                type=kind,
                required=bool(spec.get("required")),
                options=options,
                value=value,
            )
        )
    return views


def _order(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")


def answers_of(config: Configuration, form: dict[str, list[str]]) -> dict[str, Any]:
    """The form's additional-field answers, as the bookings API takes them."""
    definitions = read_document(config).scheduler.additional_fields
    answers: dict[str, Any] = {}
    for key, spec in definitions.items():
        if spec.get("type") == "metadata":
            continue
        given = [v for v in form.get(f"field.{key}", []) if v != ""]
        if spec.get("type") == "multi_select":
            if given:
                answers[key] = given
        elif spec.get("type") == "checkbox":
            answers[key] = bool(given)
        elif given:
            answers[key] = given[0]
    return answers


@dataclass(frozen=True)
class BookingView:
    title: str
    when: str
    zone: str
    status: str
    organizer: str
    guest_name: str
    guest_email: str
    location: str
    description: str
    cancellation_reason: str
    answers: list[tuple[str, str]]


def booking_view(
    booking: Booking, config: Configuration, zone: str, language: Language
) -> BookingView:
    document = read_document(config)
    definitions = document.scheduler.additional_fields
    answers = []
    for key, value in (booking.additional_fields or {}).items():
        spec = definitions.get(key, {})
        if spec.get("type") == "metadata":
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if isinstance(value, bool):
            shown = language.gettext("Yes") if value else language.gettext("No")
        answers.append((str(spec.get("label") or key), shown))
    return BookingView(
        title=booking.title,
        when=when_label(booking.start_ts, booking.end_ts, zone, language),
        zone=zone,
        status=booking.status,
        organizer=booking.organizer_name or booking.organizer_email,
        guest_name=str(booking.guest.get("name") or ""),
        guest_email=str(booking.guest.get("email") or ""),
        location=document.event_booking.location or "",
        description=booking.description or "",
        cancellation_reason=booking.cancellation_reason or "",
        answers=answers,
    )

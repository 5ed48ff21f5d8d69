"""What the pages show, computed from the domain: zones, weeks of slots, times, form fields.

All times stay UTC epoch seconds until they are formatted here in the guest's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from slotwise.availability import zones
from slotwise.availability.zones import is_zone
from slotwise.db.models import Booking, Configuration
from slotwise.documents import part_as_sent, read_document
from slotwise.i18n.languages import Language
from slotwise.scheduling.offer import (
    DAY,
    bookable_window,
    compute_offer,
    duration_seconds,
    organizer_timezone,
)
from slotwise.scheduling.service import hosts_of
from slotwise.web.formats import Clock

DAYS_PER_PAGE = 7
MAX_DAYS_AHEAD = 400

# The zone picker's groups: IANA's regions, in this order, then the zones outside them.
REGIONS = (
    "America",
    "Europe",
    "Africa",
    "Asia",
    "Australia",
    "Pacific",
    "Atlantic",
    "Indian",
    "Antarctica",
)


def guest_zone(requested: str | None, default: str) -> str:
    """The zone the page shows times in: `tz` if it is a known zone, else `default`."""
    if requested and is_zone(requested):
        return requested
    return default if is_zone(default) else "UTC"


@dataclass(frozen=True)
class ZoneOption:
    value: str
    label: str  # "New York (UTC−05:00)": the place, and its offset now


@dataclass(frozen=True)
class ZoneGroup:
    region: str
    options: list[ZoneOption]


def offset_label(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "\u2212"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


OFFSET_REFRESH = 900  # offsets change on quarter hours at most: reckoned once per 15 minutes


@lru_cache(maxsize=4)
def _every_zone(quarter: int) -> tuple[ZoneGroup, ...]:
    at = quarter * OFFSET_REFRESH
    grouped: dict[str, list[ZoneOption]] = {"UTC": [ZoneOption("UTC", "UTC")]}
    for name in _zone_names():
        region, _, place = name.partition("/")
        if region not in REGIONS or not place:
            continue
        offset = offset_label(zones.offset_at(zones.zone(name), at))
        label = f"{place.replace('_', ' ').replace('/', ' – ')} ({offset})"
        grouped.setdefault(region, []).append(ZoneOption(name, label))
    order = ["UTC", *REGIONS]
    return tuple(
        ZoneGroup(region, sorted(grouped[region], key=lambda o: o.label))
        for region in order
        if region in grouped
    )


def zone_groups(selected: str, now: int) -> list[ZoneGroup]:
    """Every IANA zone by region ("America/Argentina/Salta" under America), with the offset
    it has now; UTC first. `selected` is always among them."""
    groups = list(_every_zone(now // OFFSET_REFRESH))
    if any(o.value == selected for g in groups for o in g.options):
        return groups
    # A valid zone outside the regions ("Etc/GMT+5", "EST5EDT"): listed under UTC.
    offset = offset_label(zones.offset_at(zones.zone(selected), now))
    first = ZoneGroup(
        groups[0].region, [*groups[0].options, ZoneOption(selected, f"{selected} ({offset})")]
    )
    return [first, *groups[1:]]


def local_day(ts: int, zone: str) -> date:
    return datetime.fromtimestamp(ts, zones.zone(zone)).date()


def parse_day(text: str | None, today: date) -> date:
    """`from` as a date within [today, today + 400 days]; anything else reads as today."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today
    return min(max(day, today), today + timedelta(days=MAX_DAYS_AHEAD))


@dataclass(frozen=True)
class SlotView:
    start: int
    label: str


@dataclass(frozen=True)
class DayView:
    iso: str
    number: int  # the day of the month
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


@dataclass(frozen=True)
class MonthView:
    """One month as a calendar: weeks of days (None outside the month), starting on the
    locale's first weekday."""

    first: date
    label: str
    weekdays: list[tuple[str, str]]  # (abbreviation, full name), in column order
    weeks: list[list[DayView | None]]
    previous: str | None  # the `from` of the month before, if it has bookable days
    next: str | None
    selected: str | None  # the day whose times show first

    @property
    def days(self) -> list[DayView]:
        return [d for row in self.weeks for d in row if d is not None]


def days_of(
    session: Session,
    config: Configuration,
    zone: str,
    first: date,
    count: int,
    now: int,
    clock: Clock,
    *,
    exclude_event_ids: tuple[str, ...] = (),
    skip_start: int | None = None,
) -> list[DayView]:
    """The offered slots of `count` local days from `first`, grouped by day.

    `skip_start` leaves out the slot a booking being rescheduled already has.
    """
    tz = zones.zone(zone)
    start = zones.midnight(first, tz)
    end = zones.midnight(first + timedelta(days=count), tz)
    offer = compute_offer(session, config, start, end, now=now, exclude_event_ids=exclude_event_ids)
    by_day: dict[date, list[SlotView]] = {}
    for slot in offer.result.slots:
        if slot.start == skip_start:
            continue
        by_day.setdefault(local_day(slot.start, zone), []).append(
            SlotView(slot.start, clock.time(slot.start, zone))
        )
    return [
        DayView(d.isoformat(), d.day, clock.day(d), by_day.get(d, []))
        for d in (first + timedelta(days=i) for i in range(count))
    ]


def _horizon(config: Configuration, now: int) -> int:
    """The end of the bookable window (or of the pages' reach, MAX_DAYS_AHEAD)."""
    return bookable_window(read_document(config), now, now + MAX_DAYS_AHEAD * DAY, now)[1]


def week(
    session: Session,
    config: Configuration,
    zone: str,
    first: date,
    now: int,
    clock: Clock,
    *,
    exclude_event_ids: tuple[str, ...] = (),
    skip_start: int | None = None,
) -> WeekView:
    """The offered slots of the `DAYS_PER_PAGE` local days from `first`, grouped by day."""
    days = days_of(
        session,
        config,
        zone,
        first,
        DAYS_PER_PAGE,
        now,
        clock,
        exclude_event_ids=exclude_event_ids,
        skip_start=skip_start,
    )
    last = first + timedelta(days=DAYS_PER_PAGE)
    today = local_day(now, zone)
    previous = None
    if first > today:
        previous = max(today, first - timedelta(days=DAYS_PER_PAGE)).isoformat()
    end = zones.midnight(last, zones.zone(zone))
    following = last.isoformat() if end < _horizon(config, now) else None
    final = last - timedelta(days=1)
    return WeekView(first, days, previous, following, f"{clock.day(first)} – {clock.day(final)}")


def month(
    session: Session,
    config: Configuration,
    zone: str,
    shown: date,
    now: int,
    clock: Clock,
    *,
    wanted: str | None = None,
    exclude_event_ids: tuple[str, ...] = (),
    skip_start: int | None = None,
) -> MonthView:
    """The month holding `shown`: its days from today on carry their slots. The times shown
    first are those of `wanted` (or `shown`) if it has any, else of the month's first day
    that has."""
    first = shown.replace(day=1)
    following_month = (first + timedelta(days=32)).replace(day=1)
    today = local_day(now, zone)
    start = max(first, today)
    offered = {}
    if start < following_month:
        found = days_of(
            session,
            config,
            zone,
            start,
            (following_month - start).days,
            now,
            clock,
            exclude_event_ids=exclude_event_ids,
            skip_start=skip_start,
        )
        offered = {d.iso: d for d in found}
    days = [
        offered.get(d.isoformat()) or DayView(d.isoformat(), d.day, clock.day(d), [])
        for d in (first + timedelta(days=i) for i in range((following_month - first).days))
    ]
    # Column of the first day: the locale's week may start on Sunday (en-US) or Monday (de).
    lead = (first.weekday() - clock.locale.first_week_day) % 7
    cells: list[DayView | None] = [None] * lead + list(days)
    cells += [None] * (-len(cells) % 7)
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    names = clock.locale.days["format"]
    columns = [(clock.locale.first_week_day + i) % 7 for i in range(7)]
    weekdays = [(str(names["abbreviated"][c]), str(names["wide"][c])) for c in columns]
    previous_first = (first - timedelta(days=1)).replace(day=1)
    previous = max(previous_first, today).isoformat() if first > today.replace(day=1) else None
    horizon = _horizon(config, now)
    upcoming = following_month.isoformat()
    following = upcoming if zones.midnight(following_month, zones.zone(zone)) < horizon else None
    with_times = [d.iso for d in days if d.slots]
    selected = next((d for d in (wanted, shown.isoformat()) if d in with_times), None)
    if selected is None and with_times:
        selected = with_times[0]
    return MonthView(first, clock.month(first), weekdays, weeks, previous, following, selected)


def slot_is_offered(
    session: Session,
    config: Configuration,
    start: int,
    now: int,
    *,
    exclude_event_ids: tuple[str, ...] = (),
    with_holds: bool = True,
) -> bool:
    """Whether the time is offered; `with_holds=False`: were it not for holds (the booking
    form's check: the form's script then takes the guest's hold, or hears it is taken)."""
    end = start + duration_seconds(read_document(config))
    offer = compute_offer(
        session,
        config,
        start,
        end,
        now=now,
        exclude_event_ids=exclude_event_ids,
        with_holds=with_holds,
    )
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
        scheduler=part_as_sent(config.document, "scheduler"),
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
        key=lambda item: (_order(item[1].order), item[0]),
    )
    views = []
    for key, spec in ordered:
        if spec.type == "metadata":  # not shown to guests
            continue
        name = f"field.{key}"
        value: Any
        if submitted is not None:
            given = submitted.get(name, [])
            if spec.type == "multi_select":
                value = given
            elif spec.type == "checkbox":
                value = bool(given)
            else:
                value = given[0] if given else ""
        else:
            default = spec.default
            if spec.type == "multi_select":
                value = [str(v) for v in default] if isinstance(default, list) else []
            elif spec.type == "checkbox":
                value = default is True or str(default).lower() == "true"
            else:
                value = "" if default is None else str(default)
        views.append(
            FieldView(
                key=key,
                name=name,
                label=spec.label or key,
                type=spec.type,
                required=spec.required,
                options=list(spec.options),
                value=value,
            )
        )
    return views


def _order(value: int | None) -> float:
    return float("inf") if value is None else value


MAX_GUEST_LIST = 5000  # characters of the additional guests' box read


def guest_emails(text: str) -> list[str]:
    """The addresses of the form's additional guests box: one a line, or split by commas."""
    return [e for e in re.split(r"[\s,;]+", text[:MAX_GUEST_LIST]) if e]


def answers_of(config: Configuration, form: dict[str, list[str]]) -> dict[str, Any]:
    """The form's additional-field answers, as the bookings API takes them."""
    definitions = read_document(config).scheduler.additional_fields
    answers: dict[str, Any] = {}
    for key, spec in definitions.items():
        if spec.type == "metadata":
            continue
        given = [v for v in form.get(f"field.{key}", []) if v != ""]
        if spec.type == "multi_select":
            if given:
                answers[key] = given
        elif spec.type == "checkbox":
            answers[key] = bool(given)
        elif given:
            answers[key] = given[0]
    return answers


@dataclass(frozen=True)
class BookingView:
    title: str
    when: str
    zone: str
    organizer_when: str  # the same time in the organizer's zone, if it is another one
    organizer_zone: str
    status: str
    organizer: str
    guest_name: str
    guest_email: str
    location: str
    description: str
    cancellation_reason: str
    answers: list[tuple[str, str]]


def booking_view(
    booking: Booking, config: Configuration, zone: str, clock: Clock, language: Language
) -> BookingView:
    document = read_document(config)
    definitions = document.scheduler.additional_fields
    answers = []
    for key, value in (booking.additional_fields or {}).items():
        spec = definitions.get(key)
        if spec is not None and spec.type == "metadata":
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if isinstance(value, bool):
            shown = language.gettext("Yes") if value else language.gettext("No")
        answers.append(((spec.label if spec else "") or key, shown))
    their_zone = organizer_timezone(document)
    return BookingView(
        title=booking.title,
        when=clock.when(booking.start_ts, booking.end_ts, zone),
        zone=zone,
        organizer_when=""
        if their_zone == zone
        else clock.when(booking.start_ts, booking.end_ts, their_zone),
        organizer_zone=their_zone,
        status=booking.status,
        organizer=booking.organizer_name or booking.organizer_email,
        guest_name=str(booking.guest.get("name") or ""),
        guest_email=str(booking.guest.get("email") or ""),
        location=document.event_booking.location or "",
        description=booking.description or "",
        cancellation_reason=booking.cancellation_reason or "",
        answers=answers,
    )

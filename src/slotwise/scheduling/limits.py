"""Booking limits: how much one host may be booked per local day, week and month.

Two sources, both checked for every host of an offer:

* `scheduler.booking_limits` {per_day, per_week, per_month} and `scheduler.duration_limits`
  {per_day, per_week} (minutes) of a configuration count that configuration's bookings of the
  host, in the organizer's zone (`event_booking.timezone`);
* a grant's own limits (PUT /v3/grants/{grant}/scheduling/limits) count the grant's bookings
  through every configuration, in the zone those limits name.

A booking counts in the period its start falls in; booked and pending bookings count, cancelled
ones do not (cancelling frees the count). Weeks start on `week_start`, else on the first day
of the week of the locale (Babel: the configuration's `event_booking.organizer_language`, the
grant limits' `locale`; "en" is the United States' Sunday).

A host at a limit in a period is given a busy-like span (`Blocked`) that blocks exactly the
slots starting in that period, buffers included: the engine sees it as busy time, so the slot
lists, the round-robin pick and the booking re-check under the hosts' locks all agree.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from slotwise.availability import zones
from slotwise.documents import BookingLimits, ConfigurationDocument, DurationLimits
from slotwise.scheduling import limits_repository
from slotwise.scheduling.checks import WEEKDAYS
from slotwise.scheduling.limits_repository import Booked
from slotwise.scheduling.service import Host

BOOKING_LIMIT = "booking_limit"
HELD = "held"
KINDS = ("per_day", "per_week", "per_month")


@dataclass(frozen=True)
class Blocked:
    """A span a rule outside the calendars keeps a host from being booked in: `code` is
    BOOKING_LIMIT (`detail` names the limit, e.g. "scheduler.booking_limits.per_day") or HELD
    (`detail` is the hold's id)."""

    start: int
    end: int
    code: str
    detail: str


@dataclass(frozen=True)
class Limits:
    """One set of limits, read from a configuration or a grant."""

    where: str  # "scheduler" or "grant": how a reached limit is named
    timezone: str
    week_start: int  # 0 = Monday
    counts: tuple[tuple[str, int], ...]  # (kind, bookings)
    minutes: tuple[tuple[str, int], ...]  # (kind, minutes)
    configuration_id: str | None  # count only this configuration's bookings (None: every one)


def week_start_of(week_start: str | None, language: str | None) -> int:
    """The first day of the week (0 = Monday): named, else the locale's. A language without a
    territory reads as its likeliest one ("en": en_US, "ar": ar_EG)."""
    if week_start in WEEKDAYS:
        return WEEKDAYS.index(week_start)
    locale = _locale(language or "en") or Locale.parse("en_US")
    if locale.territory is None:
        likely = get_global("likely_subtags").get(locale.language)
        locale = (_locale(likely) if likely else None) or locale
    return int(locale.first_week_day)


def _locale(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


class StoredGrantLimits(BaseModel):
    """A grant's stored limits document (`GrantLimitsDocument.stored()`, checked when it was
    PUT), typed; a null reads as absent."""

    booking_limits: BookingLimits = Field(default_factory=BookingLimits)
    duration_limits: DurationLimits = Field(default_factory=DurationLimits)
    timezone: str | None = None
    locale: str | None = None
    week_start: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _unset(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data


def _set(
    limits: BookingLimits | DurationLimits, kinds: Sequence[str]
) -> tuple[tuple[str, int], ...]:
    values = ((kind, getattr(limits, kind)) for kind in kinds)
    return tuple((kind, int(value)) for kind, value in values if value is not None)


def configuration_limits(configuration_id: str, document: ConfigurationDocument) -> Limits | None:
    scheduler = document.scheduler
    counts = _set(scheduler.booking_limits, KINDS)
    minutes = _set(scheduler.duration_limits, KINDS[:2])
    if not counts and not minutes:
        return None
    language = document.event_booking.organizer_language
    return Limits(
        where="scheduler",
        timezone=document.event_booking.timezone or "UTC",
        week_start=week_start_of(scheduler.week_start, language),
        counts=counts,
        minutes=minutes,
        configuration_id=configuration_id,
    )


def grant_limits(document: dict[str, Any] | None) -> Limits | None:
    """A grant's stored limits document (checked when it was PUT)."""
    if not document:
        return None
    stored = StoredGrantLimits.model_validate(document)
    counts = _set(stored.booking_limits, KINDS)
    minutes = _set(stored.duration_limits, KINDS[:2])
    if not counts and not minutes:
        return None
    return Limits(
        where="grant",
        timezone=stored.timezone or "UTC",
        week_start=week_start_of(stored.week_start, stored.locale),
        counts=counts,
        minutes=minutes,
        configuration_id=None,
    )


def _first_day(kind: str, day: date, week_start: int) -> date:
    if kind == "per_day":
        return day
    if kind == "per_week":
        return day - timedelta(days=(day.weekday() - week_start) % 7)
    return day.replace(day=1)


def _next_first_day(kind: str, first: date) -> date:
    if kind == "per_day":
        return first + timedelta(days=1)
    if kind == "per_week":
        return first + timedelta(days=7)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods(limits: Limits, kind: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The local periods of `kind` that [lo, hi) touches, as UTC [start, end)."""
    tz = zones.zone(limits.timezone)
    first = _first_day(kind, zones.local_date(tz, lo), limits.week_start)
    out = []
    start = zones.midnight(first, tz)
    while start < hi:
        first = _next_first_day(kind, first)
        end = zones.midnight(first, tz)
        out.append((start, end))
        start = end
    return out


def blocking_span(
    period: tuple[int, int], duration: int, buffer_before: int, buffer_after: int
) -> tuple[int, int]:
    """A busy span that, once the engine widens it by the buffers, blocks exactly the slots
    (of `duration`) starting in `period`: a slot starting before the period, ending inside it,
    counts in the period before and stays free. A period too short for that (a slot nearly a
    day long) is blocked whole."""
    start, end = period
    first = start + duration + buffer_before - 1
    last = end - buffer_after
    return (first, last) if first < last else period


@dataclass(frozen=True)
class _Usage:
    starts: list[int]  # sorted
    seconds: list[int]  # running total of booked seconds, aligned with `starts` (+ a leading 0)

    @classmethod
    def of(cls, booked: Sequence[Booked]) -> _Usage:
        ordered = sorted(booked, key=lambda b: b.start)
        totals = [0]
        for b in ordered:
            totals.append(totals[-1] + b.end - b.start)
        return cls([b.start for b in ordered], totals)

    def within(self, start: int, end: int) -> tuple[int, int]:
        """(bookings, booked seconds) starting in [start, end)."""
        i, j = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return j - i, self.seconds[j] - self.seconds[i]


def reached(limits: Limits, usage: _Usage, lo: int, hi: int, duration: int) -> list[Blocked]:
    """The periods touching [lo, hi) in which one more booking of `duration` would pass a
    limit, as (unwidened) periods named by the limit."""
    out = []
    for kind, most in limits.counts:
        for start, end in periods(limits, kind, lo, hi):
            if usage.within(start, end)[0] >= most:
                detail = f"{limits.where}.booking_limits.{kind}"
                out.append(Blocked(start, end, BOOKING_LIMIT, detail))
    for kind, minutes in limits.minutes:
        for start, end in periods(limits, kind, lo, hi):
            if usage.within(start, end)[1] + duration > minutes * 60:
                out.append(
                    Blocked(start, end, BOOKING_LIMIT, f"{limits.where}.duration_limits.{kind}")
                )
    return out


def limit_blocks(
    session: Session,
    configuration_id: str,
    document: ConfigurationDocument,
    hosts: Sequence[Host],
    lo: int,
    hi: int,
    *,
    buffer_before: int,
    buffer_after: int,
    exclude_event_ids: Collection[str] = (),
) -> dict[str, list[Blocked]]:
    """Per host email: the spans in which a limit keeps them from a slot starting in [lo, hi).

    Each span is what the engine should add to the host's busy time (`blocking_span`); its
    detail names the limit. A booking being moved (`exclude_event_ids`) does not count.
    """
    duration = document.availability.duration_minutes * 60
    own = configuration_limits(configuration_id, document)
    stored = limits_repository.grant_limit_documents(session, [h.grant.id for h in hosts])
    wanted = {
        h.grant.id: [x for x in (own, grant_limits(stored.get(h.grant.id))) if x] for h in hosts
    }
    every = [x for found in wanted.values() for x in found]
    if not every or hi <= lo:
        return {}
    spans = [
        span
        for x in every
        for kind, _ in (*x.counts, *x.minutes)
        for span in periods(x, kind, lo, hi)
    ]
    only = configuration_id if all(x.configuration_id for x in every) else None
    booked = limits_repository.bookings_of_hosts(
        session,
        sorted(wanted),
        min(s for s, _ in spans),
        max(e for _, e in spans),
        configuration_id=only,
        exclude_event_ids=exclude_event_ids,
    )
    out: dict[str, list[Blocked]] = {}
    for host in hosts:
        mine = [b for b in booked if b.grant_id == host.grant.id]
        found = []
        for x in wanted[host.grant.id]:
            counted = [b for b in mine if x.configuration_id in (None, b.configuration_id)]
            for period in reached(x, _Usage.of(counted), lo, hi, duration):
                start, end = blocking_span(
                    (period.start, period.end), duration, buffer_before, buffer_after
                )
                found.append(Blocked(start, end, period.code, period.detail))
        if found:
            out[host.email] = found
    return out

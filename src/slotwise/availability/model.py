"""Plain value types the engine takes and returns.

Units everywhere: instants are ``int`` UTC epoch seconds, spans are half-open ``[start, end)``,
durations are seconds, days are ``date.weekday()`` numbers (0 = Monday .. 6 = Sunday). The API
faces convert their own units (minutes, "H:MM" strings, v3's Sunday-first days) before calling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

COLLECTIVE = "collective"
MAX_AVAILABILITY = "max-availability"
MAX_FAIRNESS = "max-fairness"
METHODS = frozenset({COLLECTIVE, MAX_AVAILABILITY, MAX_FAIRNESS})


class AvailabilityInputError(ValueError):
    """The request cannot be evaluated (bad rule, unknown zone, unknown email...).

    The engine never returns partial answers for bad input; the faces turn this into a 400.
    """


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """One open-hours rule, evaluated per local date in ``timezone``."""

    days: frozenset[int]
    start_minute: int
    # 0 or 1440 both mean the midnight that ends the day, so 0..0 is a whole day.
    end_minute: int
    timezone: str
    exdates: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class SpecificHours:
    """Hours for one date that replace that date's weekly hours; ``0..0`` closes the date."""

    date: date
    start_minute: int
    end_minute: int
    timezone: str


@dataclass(frozen=True, slots=True)
class Participant:
    email: str
    busy: Sequence[tuple[int, int]] = ()
    # Empty means open all the time (except dates named in ``specific``).
    open_hours: Sequence[WeeklyHours] = ()
    specific: Sequence[SpecificHours] = ()
    only_specific: bool = False
    last_booked_at: int | None = None
    # Orders bookings made at the same `last_booked_at` (a booking sequence); higher is later.
    last_booked_seq: int = 0
    # Spans in which a booking limit keeps the participant from being booked. They are busy
    # time like ``busy`` (buffers included); under max-fairness a slot they block also passes
    # the participant's turn to the next in the round-robin order (``roundrobin.Rotation``).
    limited: Sequence[tuple[int, int]] = ()


@dataclass(frozen=True, slots=True)
class Rules:
    duration: int
    # None means "one slot length": back-to-back, non-overlapping candidates.
    interval: int | None = None
    round_to: int = 0
    round_to_timezone: str = "UTC"
    method: str = COLLECTIVE
    buffer_before: int = 0
    buffer_after: int = 0
    # max-fairness only: offer the one person next in line and nobody else, with no fallback
    # when they have no time (v2 pages' "round-robin-maximize-fairness").
    strict_rotation: bool = False


class Slot(NamedTuple):
    # A named tuple rather than a frozen dataclass: a month of a large pool lists thousands of
    # slots, and building a tuple costs a third of running a dataclass __init__.
    start: int
    end: int
    emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AvailabilityResult:
    slots: list[Slot]
    order: list[str]


@dataclass(frozen=True, slots=True)
class MeetingSpec:
    """One meeting of a consecutive itinerary; no emails makes it a gap between meetings."""

    emails: tuple[str, ...]
    duration: int


def validate_rules(rules: Rules, *, check_duration: bool = True) -> None:
    if check_duration and rules.duration <= 0:
        raise AvailabilityInputError("duration must be positive")
    if rules.interval is not None and rules.interval <= 0:
        raise AvailabilityInputError("interval must be positive")
    if rules.round_to < 0:
        raise AvailabilityInputError("round_to must not be negative")
    if rules.round_to > 86400:
        raise AvailabilityInputError("round_to must be at most one day")
    if rules.method not in METHODS:
        raise AvailabilityInputError(f"unknown availability method {rules.method!r}")
    if rules.buffer_before < 0 or rules.buffer_after < 0:
        raise AvailabilityInputError("buffers must not be negative")


def validate_participants(participants: Sequence[Participant]) -> None:
    seen: set[str] = set()
    for p in participants:
        if p.email in seen:
            raise AvailabilityInputError(f"participant {p.email!r} is listed twice")
        seen.add(p.email)
        for rule in p.open_hours:
            _check_minutes(rule.start_minute, rule.end_minute)
            if not rule.days <= _WEEK:
                raise AvailabilityInputError("open-hours days must be 0 (Monday) to 6 (Sunday)")
        for spec in p.specific:
            _check_minutes(spec.start_minute, spec.end_minute)


_WEEK = frozenset(range(7))


def _check_minutes(start: int, end: int) -> None:
    if not 0 <= start < 1440 or not 0 <= end <= 1440:
        raise AvailabilityInputError("open-hours minutes must be within the day")

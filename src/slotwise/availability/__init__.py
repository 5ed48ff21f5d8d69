"""Slotwise's availability engine: pure functions from busy time and rules to slots.

Standard library only, no I/O and no clock (callers pass ``not_before``). Instants are UTC
epoch seconds, spans half-open, days 0 = Monday. See docs/availability.md for the semantics.
"""

from .consecutive import compute_consecutive
from .engine import compute_availability, find_slot
from .hours import open_windows
from .model import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    AvailabilityInputError,
    AvailabilityResult,
    MeetingSpec,
    Participant,
    Rules,
    Slot,
    SpecificHours,
    WeeklyHours,
)
from .oracle import oracle_availability, oracle_consecutive
from .roundrobin import round_robin_order

__all__ = [
    "COLLECTIVE",
    "MAX_AVAILABILITY",
    "MAX_FAIRNESS",
    "AvailabilityInputError",
    "AvailabilityResult",
    "MeetingSpec",
    "Participant",
    "Rules",
    "Slot",
    "SpecificHours",
    "WeeklyHours",
    "compute_availability",
    "compute_consecutive",
    "find_slot",
    "open_windows",
    "oracle_availability",
    "oracle_consecutive",
    "round_robin_order",
]

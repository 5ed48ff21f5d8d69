"""The wire shapes of the calendar availability answers: v3, v2, v2 consecutive (seed 003).

Built here only, from the engine's results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slotwise.availability import AvailabilityResult, Slot


def _slot(slot: Slot) -> dict[str, Any]:
    return {"emails": slot.emails, "start_time": slot.start, "end_time": slot.end}


def v3_availability(result: AvailabilityResult) -> dict[str, Any]:
    # The emails stay the slot's tuple: it serialises as the same JSON array as a list, and a
    # copy per slot was a fifth of building this answer for a large request.
    slots = [
        {"emails": emails, "start_time": start, "end_time": end}
        for start, end, emails in result.slots
    ]
    return {"time_slots": slots, "order": result.order}


def v2_availability(result: AvailabilityResult, *, round_robin: bool) -> dict[str, Any]:
    """Seed 003's shape: both `start`/`end` and `start_time`/`end_time`; emails and order only
    for round-robin."""
    slots = []
    for s in result.slots:
        slot: dict[str, Any] = {
            "object": "time_slot",
            "status": "free",
            "start": s.start,
            "end": s.end,
            "start_time": s.start,
            "end_time": s.end,
        }
        if round_robin:
            slot["emails"] = s.emails
        slots.append(slot)
    out: dict[str, Any] = {"object": "availability", "time_slots": slots}
    if round_robin:
        out["order"] = result.order
    return out


def v2_consecutive(itineraries: Sequence[Sequence[Slot]]) -> list[list[dict[str, Any]]]:
    return [[_slot(s) for s in itinerary] for itinerary in itineraries]

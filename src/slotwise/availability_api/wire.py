"""The wire shapes of the calendar availability answers: v3, v2, v2 consecutive (seed 003).

Built here only, from the engine's results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slotwise.availability import AvailabilityResult, Slot
from slotwise.availability.explain import Explanation, Reason


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


def _reason(reason: Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"code": reason.code, "message": reason.message}
    if reason.email is not None:
        out["email"] = reason.email
    out["details"] = dict(reason.details)
    return out


def explanations(found: Sequence[Explanation]) -> dict[str, Any]:
    """The explain answers' shape (both faces): one entry per asked time, in the asked order."""
    return {
        "order": list(found[0].order) if found else [],
        "explanations": [
            {
                "start_time": x.start,
                "end_time": x.end,
                "offered": x.offered,
                "emails": list(x.emails),
                "reasons": [_reason(r) for r in x.reasons],
                "blocked_by": list(x.blocked_by),
                "participants": [
                    {
                        "email": p.email,
                        "available": not p.reasons,
                        "reasons": [_reason(r) for r in p.reasons],
                    }
                    for p in x.participants
                ],
            }
            for x in found
        ],
    }

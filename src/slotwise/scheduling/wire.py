"""The scheduling wire shapes: configurations and the slots a configuration offers (v3).

Built here only; routers and pages take them from here.
"""

from __future__ import annotations

import copy
from typing import Any

from slotwise.db.models import Configuration
from slotwise.documents import GROUP, read_document
from slotwise.scheduling.group_events import GroupSlot, Listed
from slotwise.scheduling.offer import Offer


def configuration_to_dict(config: Configuration) -> dict[str, Any]:
    """The stored object plus `id`, with the fields every client requires always present."""
    out = copy.deepcopy(config.document)
    participants = []
    for p in out.get("participants") or []:
        p = dict(p)
        # Notification-only participants have neither; the Python SDK requires both keys.
        p.setdefault("availability", {"calendar_ids": []})
        if isinstance(p["availability"], dict):
            p["availability"].setdefault("calendar_ids", [])
        p.setdefault("booking", {"calendar_id": None})
        participants.append(p)
    out["participants"] = participants
    if out.get("type") == GROUP:
        # The SDKs require both parts; a group configuration's are its typed reading's
        # (documents.ConfigurationDocument), and sending them back changes nothing.
        typed = read_document(config)
        out.setdefault("availability", {"duration_minutes": typed.availability.duration_minutes})
        out.setdefault("event_booking", {"title": typed.event_booking.title})
    out["requires_session_auth"] = config.requires_session_auth
    out.setdefault("slug", None)
    return {"id": config.id, **out}


def slots_to_dict(offer: Offer) -> dict[str, Any]:
    return {
        "order": list(offer.result.order),
        "time_slots": [
            {"emails": emails, "start_time": start, "end_time": end}
            for start, end, emails in offer.result.slots
        ],
    }


def group_event_to_dict(listed: Listed) -> dict[str, Any]:
    """A listed event as the scheduler editor reads it: `event` (the v3 Event object of the
    meeting) and, for a group event, `group_event_info` (its seats, series and people)."""
    out: dict[str, Any] = {"event": listed.data}
    if listed.group is not None:
        out["group_event_info"] = {
            "event_id": listed.group.event_id,
            "configuration_id": listed.group.configuration_id,
            "calendar_id": listed.group.calendar_id,
            "capacity": listed.group.capacity,
            "booked": listed.taken,
            "remaining_capacity": max(0, listed.group.capacity - listed.taken),
            "waitlist": listed.waiting,
            "rrule": list(listed.rrule),
            "participants": list(listed.data.get("participants") or []),
        }
    return out


def group_slot_to_dict(slot: GroupSlot) -> dict[str, Any]:
    occurrence = slot.occurrence
    out: dict[str, Any] = {
        "emails": [slot.host_email],
        "start_time": occurrence.start,
        "end_time": occurrence.end,
        "event_id": occurrence.event_id,
        "calendar_id": occurrence.group.calendar_id,
        "capacity": slot.remaining,
    }
    if occurrence.master_id is not None:
        out["master_id"] = occurrence.master_id
    return out


def group_slots_to_dict(slots: list[GroupSlot]) -> dict[str, Any]:
    return {"order": [], "time_slots": [group_slot_to_dict(s) for s in slots]}

"""The scheduling wire shapes: configurations and the slots a configuration offers (v3).

Built here only; routers and pages take them from here.
"""

from __future__ import annotations

import copy
from typing import Any

from slotwise.db.models import Configuration
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

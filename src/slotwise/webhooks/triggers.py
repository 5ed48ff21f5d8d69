"""Trigger types: what a destination may subscribe to, and what may be shown to SDK clients."""

from __future__ import annotations

from typing import Any

# Values the Python SDK's WebhookTriggers enum knows (reference §8.2). Anything else in a
# response makes that SDK raise, so responses only ever contain these.
SDK_TRIGGERS: frozenset[str] = frozenset(
    {
        "booking.created",
        "booking.pending",
        "booking.rescheduled",
        "booking.cancelled",
        "booking.reminder",
        "calendar.created",
        "calendar.updated",
        "calendar.deleted",
        "contact.updated",
        "contact.deleted",
        "event.created",
        "event.updated",
        "event.deleted",
        "grant.created",
        "grant.updated",
        "grant.deleted",
        "grant.expired",
        "message.send_success",
        "message.send_failed",
        "message.bounce_detected",
        "message.created",
        "message.updated",
        "message.deleted",
        "message.opened",
        "message.link_clicked",
        "message.opened.legacy",
        "message.link_clicked.legacy",
        "message.intelligence.order",
        "message.intelligence.tracking",
        "message.intelligence.return",
        "thread.replied",
        "thread.replied.legacy",
        "folder.created",
        "folder.updated",
        "folder.deleted",
    }
)

# Accepted on input: the SDK set plus the rest of the published trigger list.
KNOWN_TRIGGERS: frozenset[str] = SDK_TRIGGERS | {
    "grant.imap_sync_completed",
    "message.created.cleaned",
    "message.created.truncated",
    "message.updated.truncated",
    "message.transactional.bounced",
    "message.transactional.complaint",
    "message.transactional.delivered",
    "message.transactional.rejected",
    "message.bounced",
    "message.complaint",
    "message.delivered",
    "message.rejected",
    "notetaker.created",
    "notetaker.updated",
    "notetaker.deleted",
    "notetaker.meeting_state",
    "notetaker.media",
}


def visible_triggers(triggers: list[str]) -> list[str]:
    """The subscribed triggers an SDK client can decode (the others stay stored and active)."""
    return [t for t in triggers if t in SDK_TRIGGERS]


def truncated_trigger(trigger: str) -> str | None:
    """The `.truncated` variant of a trigger, when one is a published trigger type."""
    candidate = f"{trigger}.truncated"
    return candidate if candidate in KNOWN_TRIGGERS else None


def order_key(trigger: str, obj: dict[str, Any]) -> str:
    """The object a notification is about; notifications of one key are delivered in order."""
    family = trigger.split(".", 1)[0]
    if family == "booking":
        ident = obj.get("booking_id")
    elif family == "grant":
        ident = obj.get("grant_id") or obj.get("id")
    else:
        ident = obj.get("id")
    return f"{family}:{ident}" if ident else f"{family}:-"

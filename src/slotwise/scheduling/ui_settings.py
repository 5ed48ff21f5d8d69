"""GET /v3/scheduling/ui-settings: what the scheduling web component reads about a page."""

from __future__ import annotations

import copy
from typing import Any

from slotwise.db.models import Booking, Configuration
from slotwise.scheduling.offer import (
    DEFAULT_DAYS_IN_FUTURE,
    DEFAULT_NOTICE_MINUTES,
    organizer_timezone,
)
from slotwise.scheduling.schemas import read_document


def organizer_of(document: dict[str, Any]) -> dict[str, Any]:
    participants = document.get("participants") or []
    chosen = next((p for p in participants if p.get("is_organizer")), None)
    if chosen is None:
        chosen = next((p for p in participants if p.get("booking")), participants[0])
    return {"name": chosen.get("name") or "", "email": chosen.get("email")}


def ui_settings(
    config: Configuration, *, application_id: str, booking: Booking | None = None
) -> dict[str, Any]:
    document = config.document
    event_booking = document.get("event_booking") or {}
    organizer = organizer_of(document)
    scheduler = copy.deepcopy(document.get("scheduler") or {})
    scheduler.setdefault("available_days_in_future", DEFAULT_DAYS_IN_FUTURE)
    if scheduler.get("min_booking_notice") is None:
        scheduler["min_booking_notice"] = DEFAULT_NOTICE_MINUTES
    if scheduler.get("min_cancellation_notice") is None:
        scheduler["min_cancellation_notice"] = 0
    scheduler.setdefault("additional_fields", {})
    data: dict[str, Any] = {
        "configuration_id": config.id,
        "app_client_id": application_id,
        "name": document.get("name") or event_booking.get("title") or organizer["name"],
        "slug": config.slug,
        "organizer": organizer,
        "booking_type": event_booking.get("booking_type") or "booking",
        "requires_session_auth": config.requires_session_auth,
        "appearance": document.get("appearance") or {},
        "scheduler": scheduler,
        "event_booking": {
            "title": event_booking.get("title"),
            "description": event_booking.get("description"),
            "location": event_booking.get("location"),
            "timezone": organizer_timezone(read_document(config)),
            "booking_type": event_booking.get("booking_type") or "booking",
        },
        "availability": {
            "duration_minutes": (document.get("availability") or {}).get("duration_minutes"),
        },
    }
    if booking is not None:
        data["booking"] = {
            "booking_id": booking.id,
            "guest": booking.guest,
            "additional_guests": booking.additional_guests,
            "additional_fields": booking.additional_fields,
            "timezone": booking.guest_timezone,
            "email_language": booking.email_language,
            "status": booking.status,
            "start_time": booking.start_ts,
            "end_time": booking.end_ts,
            "event_organizer": {"email": booking.organizer_email, "name": booking.organizer_name},
        }
    return data

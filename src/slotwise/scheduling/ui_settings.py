"""GET /v3/scheduling/ui-settings: what the scheduling web component reads about a page."""

from __future__ import annotations

import copy
from typing import Any

from slotwise.db.models import Booking, Configuration, Grant
from slotwise.documents import ConfigurationDocument, part_as_sent, read_document
from slotwise.scheduling.offer import (
    DEFAULT_DAYS_IN_FUTURE,
    DEFAULT_NOTICE_MINUTES,
    organizer_timezone,
)


def _organizer(document: ConfigurationDocument) -> dict[str, Any]:
    participants = document.participants
    chosen = next((p for p in participants if p.is_organizer), None)
    if chosen is None:
        chosen = next((p for p in participants if p.booking), participants[0])
    return {"name": chosen.name or "", "email": chosen.email}


def ui_settings(
    config: Configuration,
    *,
    application_id: str,
    booking: Booking | None = None,
    owner: Grant | None = None,
) -> dict[str, Any]:
    """`owner`: the configuration's grant, the organizer of a group configuration (which
    has no participants)."""
    document = read_document(config)
    event_booking = document.event_booking
    if owner is not None:
        organizer = {"name": owner.name or "", "email": owner.email}
    else:
        organizer = _organizer(document)
    # The scheduler object as stored (the component reads keys Slotwise does not), defaulted.
    scheduler = copy.deepcopy(part_as_sent(config.document, "scheduler"))
    scheduler.setdefault("available_days_in_future", DEFAULT_DAYS_IN_FUTURE)
    if scheduler.get("min_booking_notice") is None:
        scheduler["min_booking_notice"] = DEFAULT_NOTICE_MINUTES
    if scheduler.get("min_cancellation_notice") is None:
        scheduler["min_cancellation_notice"] = 0
    scheduler.setdefault("additional_fields", {})
    data: dict[str, Any] = {
        "configuration_id": config.id,
        "app_client_id": application_id,
        "name": document.name or event_booking.title or organizer["name"],
        "slug": config.slug,
        "organizer": organizer,
        "booking_type": event_booking.booking_type,
        "requires_session_auth": config.requires_session_auth,
        "appearance": document.appearance or {},
        "scheduler": scheduler,
        "event_booking": {
            "title": event_booking.title,
            "description": event_booking.description,
            "location": event_booking.location,
            "timezone": organizer_timezone(document),
            "booking_type": event_booking.booking_type,
        },
        "availability": {"duration_minutes": document.availability.duration_minutes},
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

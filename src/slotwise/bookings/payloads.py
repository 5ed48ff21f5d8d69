"""What bookings look like on the wire: the Booking object and the booking.* notifications."""

from __future__ import annotations

from typing import Any

from slotwise import links
from slotwise.bookings.salts import guest_salt
from slotwise.db.models import Booking, Configuration, Event, WaitlistEntry
from slotwise.documents import read_document
from slotwise.ids import encode_booking_ref
from slotwise.scheduling.offer import organizer_timezone
from slotwise.scheduling.seats import capacity_of

PENDING_PREFIX = "[PENDING] "


def booking_ref(booking: Booking) -> str:
    return encode_booking_ref(booking.configuration_id, booking.id, guest_salt(booking))


def booking_to_dict(booking: Booking, *, include_ref: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "booking_id": booking.id,
        # A seat's event is its group event's meeting.
        "event_id": booking.event_id or booking.group_event_id,
        "title": booking.title,
        "description": booking.description,
        "organizer": {"email": booking.organizer_email, "name": booking.organizer_name},
        "status": booking.status,
        "configuration_id": booking.configuration_id,
        "start_time": booking.start_ts,
        "end_time": booking.end_ts,
        "guest": booking.guest,
        "additional_guests": booking.additional_guests,
        "additional_fields": booking.additional_fields,
        "participants": [{"email": e} for e in booking.hosts],
    }
    if booking.status == "cancelled":
        data["cancellation_reason"] = booking.cancellation_reason or ""
    if include_ref:
        data["booking_ref"] = booking_ref(booking)
    return data


def booking_info(
    booking: Booking, config: Configuration, event: Event | None, **extra: Any
) -> dict[str, Any]:
    document = read_document(config)
    scheduler = document.scheduler
    event_booking = document.event_booking
    ref = booking_ref(booking)
    hosted = links.current()
    people: list[dict[str, Any]] = [
        {"email": booking.organizer_email, "name": booking.organizer_name or ""}
    ]
    people += [{"email": e, "name": ""} for e in booking.hosts if e != booking.organizer_email]
    people.append({"email": booking.guest.get("email"), "name": booking.guest.get("name", "")})
    people += [
        {"email": g.get("email"), "name": g.get("name") or ""} for g in booking.additional_guests
    ]
    info: dict[str, Any] = {
        "event_id": booking.event_id or booking.group_event_id,
        "start_time": booking.start_ts,
        "end_time": booking.end_ts,
        "participants": people,
        "additional_fields": booking.additional_fields or None,
        "hide_cancellation_options": scheduler.hide_cancellation_options,
        "hide_rescheduling_options": scheduler.hide_rescheduling_options,
        "participant_rescheduling_url": hosted.manage(scheduler.rescheduling_url, ref),
        "participant_cancellation_url": hosted.manage(scheduler.cancellation_url, ref),
        # A v2 page's `locale` (Slotwise's event_booking.organizer_language), else English.
        "host_language": event_booking.organizer_language or "en",
        "guest_language": booking.email_language,
        "title": booking.title,
        "duration": (booking.end_ts - booking.start_ts) // 60,
        "location": event.location if event is not None else event_booking.location,
        "organizer_timezone": organizer_timezone(document),
        "guest_timezone": booking.guest_timezone,
        "is_group_event": document.is_group or capacity_of(document) != 1,
        "organizer_calendar_id": booking.organizer_calendar_id,
        "event_description": event.description if event is not None else None,
        "event_html_link": None,
        "ical_uid": event.ical_uid if event is not None else None,
        # Not in the reference payload; the mail and reminder senders use them.
        "organizer_email": booking.organizer_email,
        "organizer_name": booking.organizer_name,
        "guest_email": booking.guest.get("email"),
        "guest_name": booking.guest.get("name"),
        "status": booking.status,
    }
    info.update(extra)
    return info


def created_payload(booking: Booking, config: Configuration, event: Event | None) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "booking_ref": booking_ref(booking),
        "configuration_id": booking.configuration_id,
        "object": "booking",
        "booking_info": booking_info(booking, config, event),
    }


def pending_payload(
    booking: Booking, config: Configuration, event: Event | None, organizer_ref: str
) -> dict[str, Any]:
    """booking.pending: `booking_ref` is the guest's, like in every booking.* payload;
    `host_confirmation_url` carries the organizer's own ref, the only one that confirms."""
    template = read_document(config).scheduler.organizer_confirmation_url
    url = links.current().organizer_confirmation(template, organizer_ref)
    payload = created_payload(booking, config, event)
    payload["booking_type"] = "organizer-confirmation"
    payload["booking_info"]["host_confirmation_url"] = url
    return payload


def rescheduled_payload(
    booking: Booking, config: Configuration, event: Event | None, old_start: int, old_end: int
) -> dict[str, Any]:
    payload = created_payload(booking, config, event)
    payload["booking_info"]["old_start_time"] = old_start
    payload["booking_info"]["old_end_time"] = old_end
    return payload


def cancelled_payload(
    booking: Booking, config: Configuration, event: Event | None
) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "configuration_id": booking.configuration_id,
        "object": "booking",
        "booking_info": booking_info(
            booking, config, event, cancellation_reason=booking.cancellation_reason or ""
        ),
    }


def waiting_to_dict(entry: WaitlistEntry, position: int) -> dict[str, Any]:
    """A place in a full meeting's waitlist (POST /v3/scheduling/bookings, `waitlist: true`);
    `position` 1 is the next to get a seat."""
    return {
        "object": "waitlist_entry",
        "id": entry.id,
        "status": "waitlisted",
        "position": position,
        "configuration_id": entry.configuration_id,
        "event_id": entry.occurrence_id,
        "start_time": entry.start_ts,
        "end_time": entry.end_ts,
        "guest": entry.request.get("guest"),
    }

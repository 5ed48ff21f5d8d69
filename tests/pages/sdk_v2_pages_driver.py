"""Drive the v2 Python SDK's scheduler (nylas 5.x) through a page's life; own process.

Usage: PYTHONPATH=<folder holding nylas 5.x> python sdk_v2_pages_driver.py
with {"url", "token", "tokens", "page"} on stdin. The SDK is used as an app would: only the
scheduler collection's API host is changed (the constructor takes https:// servers only, and
the collection copies the client with the hosted scheduler's host). Prints one JSON line with
what each call returned, as plain data.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from nylas import APIClient  # the v2 SDK: this process has it first on its path
from nylas.client.errors import NylasApiError
from nylas.client.scheduler_models import SchedulerBookingRequest


def _page(page: Any) -> dict[str, Any]:
    return {
        "id": page.id,
        "name": page.name,
        "slug": page.slug,
        "config": page.config,
        "edit_token": getattr(page, "edit_token", None),
        "created_at": str(page.created_at),
    }


def _confirmation(booking: Any) -> dict[str, Any]:
    return {
        "id": booking.id,
        "account_id": booking.account_id,
        "edit_hash": booking.edit_hash,
        "is_confirmed": booking.is_confirmed,
        "start_time": booking.start_time.timestamp(),
        "title": booking.title,
        "recipient_email": booking.recipient_email,
        "additional_field_values": booking.additional_field_values,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    client = APIClient("slotwise-app", "slotwise-secret", access_token=spec["token"])
    client.api_server = spec["url"]
    scheduler = client.scheduler
    scheduler.api.api_server = spec["url"]
    out: dict[str, Any] = {}

    page = scheduler.create()
    page.name = spec["page"]["name"]
    page.slug = spec["page"]["slug"]
    page.access_tokens = spec["tokens"]
    page.config = spec["page"]["config"]
    page.save()
    out["created"] = _page(page)
    out["all"] = [p.id for p in scheduler.all()]
    fetched = scheduler.get(page.id)
    out["got"] = _page(fetched)
    fetched.name = "Renamed by the SDK"
    fetched.save()
    out["updated"] = _page(scheduler.get(page.id))
    out["calendars"] = [
        {"id": a["id"], "email": a["email"], "calendars": [c.id for c in a["calendars"]]}
        for a in fetched.get_available_calendars()
    ]
    out["upload"] = fetched.upload_image("image/png", "logo.png")
    out["info"] = _page(scheduler.get_page_slug(page.slug))
    slots = scheduler.get_available_time_slots(page.slug)
    out["timeslots"] = [
        {"account_id": s.account_id, "start": s.start.timestamp(), "emails": s.emails}
        for s in slots
    ]

    request = SchedulerBookingRequest.create(
        scheduler.api,
        name="Guest",
        email="guest@example.com",
        timezone="Europe/Berlin",
        locale="en",
        slot=slots[0],
        additional_values={"company": "Acme"},
    )
    booked = scheduler.book_time_slot(page.slug, request)
    out["booked"] = _confirmation(booked)
    moved = SchedulerBookingRequest.create(
        scheduler.api,
        name="Guest",
        email="guest@example.com",
        timezone="Europe/Berlin",
        slot=slots[2],
        replaces_booking_hash=booked.edit_hash,
        additional_values={"company": "Acme"},
    )
    out["rescheduled"] = _confirmation(scheduler.book_time_slot(page.slug, moved))
    out["confirmed"] = _confirmation(scheduler.confirm_booking(page.slug, booked.edit_hash))
    out["cancelled"] = scheduler.cancel_booking(page.slug, booked.edit_hash, "Plans changed")
    scheduler.delete(page.id)
    try:
        scheduler.get(page.id)
        out["after_delete"] = "still there"
    except NylasApiError as exc:
        out["after_delete"] = exc.response.status_code
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()

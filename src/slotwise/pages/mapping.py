"""A v2 page's `config` as the scheduling configuration the engine and the bookings read.

The page itself is kept as sent (pages.service); this derives the v3 document from it each
time the page is written. Choices where v2 sources are thin (docs/scheduling-pages.md):

* The accounts become participants in the order given; the first is the organizer, so the
  configuration belongs to it and is listed among its configurations.
* `calendar_ids` defaults to each account's primary calendar, for availability and booking.
* Opening hours: entries without `account_id` apply to every account, entries with one add to
  that account's hours. A page without opening hours is open Monday to Friday 9:00-17:00.
  All are read in `config.timezone` (UTC when unset).
* `min_buffer` keeps that many minutes free before and after every meeting.
* `round-robin-maximize-fairness` is strict rotation (`strict_rotation`), not v3's "first
  half"; `manual` and `external` confirmation both keep a booking pending until confirmed.
* `available_days_in_future` defaults to 14 and `min_booking_notice` to 0, as the v2 editor.
* Emails: `disable_emails`, or both `confirmation_emails_to_*` false, turn off booking emails.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slotwise.db.models import Calendar, Grant
from slotwise.errors import field_error
from slotwise.pages.schemas import (
    DAY_LETTERS,
    NewPage,
    OpeningHours,
    PageAppearance,
    PageConfig,
    PageEvent,
    PageField,
    PageReminder,
)

# Letters to v3 day numbers (0 = Sunday): M=1 … S=6, U=0.
V3_DAY = {letter: (i + 1) % 7 for i, letter in enumerate(DAY_LETTERS)}
DEFAULT_HOURS = [OpeningHours(days=["M", "T", "W", "R", "F"], start="9:00", end="17:00")]
DEFAULT_DAYS_IN_FUTURE = 14
DEFAULT_DURATION = 30
METHODS = {
    "collective": "collective",
    "round-robin-maximize-fairness": "max-fairness",
    "round-robin-maximize-availability": "max-availability",
}
FIELD_TYPES = {
    "text": "text",
    "multi-line text": "multi_line_text",
    "email": "email",
    "phone": "phone_number",
    "number": "text",
    "dropdown": "dropdown",
    "checkbox": "checkbox",
    "multi-select list": "multi_select",
    "date": "date",
}
NUMBER_PATTERN = r"-?\d+(\.\d+)?"
RECIPIENTS = {"customer": "guest", "owner": "host", "both": "all"}


@dataclass(frozen=True)
class Account:
    """One of a page's accounts with its calendars."""

    grant: Grant
    calendars: tuple[Calendar, ...]

    @property
    def primary_calendar_id(self) -> str | None:
        primary = [c for c in self.calendars if c.is_primary] or list(self.calendars)
        return primary[0].id if primary else None


def calendar_choice(account: Account, config: PageConfig) -> tuple[list[str], str | None]:
    """(availability calendar ids, booking calendar id) of an account on this page."""
    entry = config.calendar_ids.get(account.grant.id)
    primary = account.primary_calendar_id
    chosen = entry.availability if entry is not None else []
    availability = list(chosen or ([primary] if primary else []))
    return availability, (entry.booking if entry is not None else None) or primary


def check_calendar_ids(config: PageConfig, accounts: Sequence[Account]) -> None:
    """Every `calendar_ids` entry names a page account and calendars of that account."""
    by_id = {a.grant.id: a for a in accounts}
    for account_id, entry in config.calendar_ids.items():
        where = f"config.calendar_ids.{account_id}"
        account = by_id.get(account_id)
        if account is None:
            raise field_error(where, "is not one of this page's accounts")
        own = {c.id for c in account.calendars}
        for i, calendar_id in enumerate(entry.availability):
            if calendar_id not in own:
                raise field_error(f"{where}.availability[{i}]", f"no calendar {calendar_id!r}")
        booking = entry.booking
        if booking is not None and booking not in own:
            raise field_error(f"{where}.booking", f"no calendar {booking!r}")
        writable = {c.id for c in account.calendars if not c.read_only}
        if booking is not None and booking not in writable:
            raise field_error(f"{where}.booking", "is read-only")


def check_opening_hours_accounts(config: PageConfig, accounts: Sequence[Account]) -> None:
    ids = {a.grant.id for a in accounts}
    for i, entry in enumerate(config.booking.opening_hours):
        if entry.account_id is not None and entry.account_id not in ids:
            raise field_error(
                f"config.booking.opening_hours[{i}].account_id",
                "is not one of this page's accounts",
            )


def _open_hours(entries: list[OpeningHours], timezone: str) -> list[dict[str, Any]]:
    return [
        {
            "days": sorted({V3_DAY[d] for d in e.days}),
            "start": e.start,
            "end": e.end,
            "timezone": timezone,
        }
        for e in entries
    ]


def _participants(
    config: PageConfig, accounts: Sequence[Account], timezone: str
) -> list[dict[str, Any]]:
    # Opening hours not given (or null) are the default ones; an empty list is none at all.
    sent = "opening_hours" in config.booking.model_fields_set
    hours = config.booking.opening_hours if sent else DEFAULT_HOURS
    shared = [e for e in hours if not e.account_id]
    out = []
    for i, account in enumerate(accounts):
        availability, booking = calendar_choice(account, config)
        own = [e for e in hours if e.account_id == account.grant.id]
        participant: dict[str, Any] = {
            "email": account.grant.email,
            "name": account.grant.name or account.grant.email,
            "timezone": timezone,
            "availability": {
                "calendar_ids": availability,
                # An empty list would fall back to default hours: "no hours" must stay closed.
                "open_hours": _open_hours(shared + own, timezone)
                or [{"days": [], "start": "0:00", "end": "0:00", "timezone": timezone}],
            },
            "booking": {"calendar_id": booking},
        }
        if i == 0:
            participant["is_organizer"] = True
        out.append(participant)
    return out


def _invitees(event: PageEvent, accounts: Sequence[Account]) -> list[dict[str, Any]]:
    """`event.participants`: people invited to every booked event (no availability or booking
    of their own, so they neither host nor block slots). The page's accounts are hosts already."""
    own = {a.grant.email.lower() for a in accounts}
    out: list[dict[str, Any]] = []
    for person in event.participants:
        email = (person if isinstance(person, str) else person["email"]).strip()
        name = "" if isinstance(person, str) else person.get("name") or ""
        if email.lower() not in own and email.lower() not in {p["email"].lower() for p in out}:
            out.append({"email": email, "name": name})
    return out


def _additional_fields(specs: list[PageField]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for position, spec in enumerate(specs):
        field: dict[str, Any] = {
            "label": spec.label,
            "type": FIELD_TYPES[spec.type],
            "required": bool(spec.required),
            "order": spec.order if spec.order is not None else position,
        }
        pattern = spec.pattern or (NUMBER_PATTERN if spec.type == "number" else None)
        if pattern:
            field["pattern"] = pattern
        if field["type"] in {"dropdown", "multi_select"}:
            field["options"] = list(spec.dropdown_options or spec.multi_select_options)
        out[spec.name] = field
    return out


def _reminders(entries: list[PageReminder]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        reminder: dict[str, Any] = {
            "type": entry.delivery_method,
            "minutes_before_event": entry.time_before_event,
            "recipient": RECIPIENTS.get(entry.delivery_recipient or "both", "all"),
        }
        if entry.email_subject:
            reminder["email_subject"] = entry.email_subject
        if entry.delivery_method == "webhook" and entry.webhook_url:
            reminder["webhook_url"] = entry.webhook_url  # to that URL only
        out.append(reminder)
    return out


def _emails_disabled(config: PageConfig) -> bool:
    booking = config.booking
    to_guests, to_host = booking.confirmation_emails_to_guests, booking.confirmation_emails_to_host
    return bool(config.disable_emails) or (to_guests is False and to_host is False)


def _round_to(interval: int | None, duration: int) -> int:
    """The grid's grain: the largest divisor of an hour that divides the step (the interval,
    else the duration). Opening hours that start on the hour (or any multiple of the grain)
    then start a slot, and slots follow every step: 10:00-12:00 with 45 minutes offers 10:00
    and 10:45 (what a v2 page's user expects); after a busy time the next start rounds up to
    the grain.
    """
    return math.gcd(interval or duration, 60)


def configuration_document(page: NewPage, accounts: Sequence[Account]) -> dict[str, Any]:
    """The v3 configuration of a (checked) v2 page with these accounts."""
    config = page.config
    event, booking = config.event, config.booking
    timezone = config.timezone or "UTC"
    duration = event.duration or DEFAULT_DURATION
    interval = booking.interval_minutes
    method = METHODS[booking.scheduling_method or "collective"]
    buffer = booking.min_buffer or 0
    rules: dict[str, Any] = {
        "availability_method": method,
        "buffer": {"before": buffer, "after": buffer},
    }
    if method == "max-fairness":
        rules["strict_rotation"] = True
    availability: dict[str, Any] = {
        "duration_minutes": duration,
        "round_to": _round_to(interval, duration),
        "availability_rules": rules,
    }
    if interval:
        availability["interval_minutes"] = interval
    confirmation = booking.confirmation_method or "automatic"
    event_booking: dict[str, Any] = {
        "title": event.title or page.name or "Meeting",
        "template_title": event.template_title or None,
        "organizer_language": config.locale or None,
        "location": event.location,
        "timezone": timezone,
        "booking_type": "booking" if confirmation == "automatic" else "organizer-confirmation",
        "disable_emails": _emails_disabled(config),
        "reminders": _reminders(config.reminders),
    }
    if booking.calendar_invite_to_guests is False:
        event_booking["notify_participants"] = False
    scheduler: dict[str, Any] = {
        "available_days_in_future": booking.available_days_in_future or DEFAULT_DAYS_IN_FUTURE,
        "min_booking_notice": booking.min_booking_notice or 0,
        "min_cancellation_notice": booking.min_cancellation_notice or 0,
        "hide_additional_guests": bool(booking.additional_guests_hidden),
        "additional_fields": _additional_fields(booking.additional_fields),
    }
    if event.capacity is not None and event.capacity != 1:
        scheduler["capacity"] = event.capacity  # -1: unlimited (scheduling.seats)
    if booking.cancellation_policy:
        scheduler["cancellation_policy"] = booking.cancellation_policy
    expire = config.expire_after
    if expire.model_fields_set:
        scheduler["expire_after"] = {k: getattr(expire, k) for k in expire.model_fields_set}
    document: dict[str, Any] = {
        "name": page.name or "",
        "slug": page.slug,
        "requires_session_auth": False,
        "participants": _participants(config, accounts, timezone) + _invitees(event, accounts),
        "availability": availability,
        "event_booking": event_booking,
        "scheduler": scheduler,
        "appearance": _appearance(config.appearance),
    }
    return document


_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{3,8}$")


def _appearance(appearance: PageAppearance) -> dict[str, Any]:
    """The v2 appearance under the keys the hosted pages and the web component read."""
    out: dict[str, Any] = {}
    if appearance.color is not None and _HEX_COLOR.match(appearance.color):
        out["color"] = appearance.color
    for key in ("company_name", "logo", "submit_text", "thank_you_text"):
        if getattr(appearance, key) is not None:
            out[key] = getattr(appearance, key)
    for key in (
        "show_autoschedule",
        "show_nylas_branding",
        "show_timezone_options",
        "show_week_view",
    ):
        shown = getattr(appearance, key)
        if shown is not None:
            out[key] = shown  # real booleans (v2 clients may send "true"/"false")
    return out

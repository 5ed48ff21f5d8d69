"""A booked event's title from `event_booking.template_title` (a v2 page's
`config.event.template_title`; a Slotwise extension for v3 configurations).

The v2 sources name the field but not its placeholders, so Slotwise offers these, written
`{{name}}` (spaces inside the braces allowed): `event_title` (the configured title),
`invitee` (the guest's name), `invitee_first_name`, `invitee_email`, `host` (the booked
host's name, else email). Unknown placeholders stay as written; values are inserted once (a
guest's name containing braces is not expanded again). Without a template the title is the
configured title.
"""

from __future__ import annotations

import re

from slotwise.documents import EventBooking

MAX_TITLE = 1024
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def booked_title(
    event_booking: EventBooking, guest: dict[str, str], host_name: str | None, host_email: str
) -> str:
    title = event_booking.title
    template = event_booking.template_title
    if template is None or not template.strip():
        return title
    name = guest.get("name") or guest.get("email") or ""
    values = {
        "event_title": title,
        "invitee": name,
        "invitee_first_name": name.split()[0] if name.split() else name,
        "invitee_email": guest.get("email") or "",
        "host": host_name or host_email,
    }
    rendered = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    # One line: a guest's name is a line already; the template was checked as a line too.
    return " ".join(rendered.split())[:MAX_TITLE] or title

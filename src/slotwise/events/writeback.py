"""Writing events changed through Slotwise back to their calendar server.

`events.service` calls `write_back(session, event)` after every create, update, cancel, RSVP
and instance removal, once the rows are flushed. Events of embedded grants cost only the
grant's primary-key lookup, usually answered from the session with no query. For a CalDAV
calendar the whole object (the series master with its live exceptions) is PUT —
`If-None-Match: *` when new, `If-Match: <etag>` when replacing — or DELETEd when the event is
cancelled. If the server refuses or fails, the ProviderError propagates, so the API call fails
and its transaction (the local change included) is rolled back.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise.db.models import Calendar, Event, Grant, ProviderCalendar, ProviderItem
from slotwise.errors import field_error
from slotwise.events.repository import exceptions_of
from slotwise.providers import REMOTE_KINDS, credentials, provider_for
from slotwise.providers import repository as mirror
from slotwise.providers.ical import serialize


def write_back(session: Session, event: Event) -> None:
    owner = session.get(Grant, event.grant_id)
    if owner is None or owner.provider not in REMOTE_KINDS:
        return  # embedded grants have no remote calendars (a grant never changes provider)
    remote = session.get(ProviderCalendar, event.calendar_id)
    if remote is None:
        return  # an embedded calendar (or a local calendar of a remote grant)
    root = event
    if event.master_event_id:
        master = session.get(Event, event.master_event_id)
        if master is None:
            raise field_error("event_id", "is an instance of a series this calendar does not hold")
        root = master
    grant = session.get(Grant, root.grant_id)
    calendar = session.get(Calendar, root.calendar_id)
    if grant is None or calendar is None:
        return
    provider = provider_for(grant.provider)
    if provider.read_only or calendar.read_only:
        raise field_error("calendar_id", f"the calendar {calendar.id!r} is read_only")
    item = mirror.item_of_event(session, root.calendar_id, root.id)
    settings = credentials.of(grant)
    if root.status == "cancelled":
        if item is not None:
            provider.delete(settings, credentials.remote_url(remote), item.href, item.etag)
            session.delete(item)
            session.flush()
        return
    live = [e for e in exceptions_of(session, root.id) if e.status != "cancelled"]
    data = serialize(root, live)
    stored = provider.put(
        settings,
        credentials.remote_url(remote),
        item.href if item else None,
        f"{root.id}.ics",
        data,
        item.etag if item else None,
    )
    if item is None:
        session.add(
            ProviderItem(
                calendar_id=root.calendar_id, event_id=root.id, href=stored.href, etag=stored.etag
            )
        )
    else:
        item.etag = stored.etag
    session.flush()

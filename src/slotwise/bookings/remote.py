"""Remote busy time is fetched before a booking takes its locks, never while holding them.

A booking re-checks its slot under the participants' locks (on SQLite: the one write lock).
A CalDAV server or ICS feed that takes seconds to answer would hold those locks for as long,
stalling every booking, unrelated ones included. So the hosts' remote calendars are synced
first, with no transaction open (`providers.sync.refresh_grants_first`), and the booking's
transaction re-checks against the mirror as stored: a change made on the remote calendar in
the moment between the two is caught by the next sync, exactly as one made a moment after.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from slotwise.bookings import repository
from slotwise.db.engine import Database
from slotwise.db.models import Configuration
from slotwise.errors import SlotwiseError
from slotwise.providers import REMOTE_KINDS
from slotwise.providers.sync import refresh_grants_first
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.service import hosts_of

FindConfiguration = Callable[[Session], Configuration | None]


def refresh_remote_hosts(db: Database, find_configuration: FindConfiguration) -> None:
    """Sync the remote calendars of the configuration's hosts, whatever their age.

    `find_configuration` resolves the configuration as the booking will; if it fails, nothing
    is fetched and the booking's own transaction reports the failure.
    """
    with db.session(write=False) as session:
        try:
            config = find_configuration(session)
        except SlotwiseError:
            return
        if config is None:
            return
        remote = [
            h.grant.id
            for h in hosts_of(session, config.document)
            if h.grant.provider in REMOTE_KINDS
        ]
    refresh_grants_first(db, remote, max_age=0)


def configuration_of_booking(booking_id: str) -> FindConfiguration:
    """A finder for a reschedule: the configuration the booking belongs to."""

    def find(session: Session) -> Configuration | None:
        booking = repository.get_booking(session, booking_id)
        if booking is None:
            return None
        return scheduling_repository.get_configuration(session, booking.configuration_id)

    return find

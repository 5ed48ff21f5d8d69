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

from slotwise.db.engine import Database
from slotwise.db.models import Configuration
from slotwise.documents import read_document
from slotwise.errors import SlotwiseError
from slotwise.providers import REMOTE_KINDS
from slotwise.providers.sync import refresh_grants_first
from slotwise.scheduling.repository import grant_ids_of_kinds

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
        emails = [p.email for p in read_document(config).participants if p.is_host]
        remote = grant_ids_of_kinds(session, emails, REMOTE_KINDS)
    refresh_grants_first(db, remote, max_age=0)

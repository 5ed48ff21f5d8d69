"""Key rotation: every sealed value re-sealed with the keyring's newest key, in one transaction.

Run by `slotwise secrets rotate` after the new key was put first in SLOTWISE_SECRET_KEY (the
old ones still after it); once it has run, the old keys can be dropped.
"""

from __future__ import annotations

from slotwise import keyring
from slotwise.db.engine import Database
from slotwise.operations import repository


def reseal_all(db: Database) -> int:
    """Re-seal what is not sealed with the newest key yet; the number of values re-sealed."""
    ring = keyring.current()
    changed = 0
    with db.session() as session:
        for grant in repository.sealed_grants(session):
            assert grant.sealed_settings is not None
            if not ring.is_newest(grant.sealed_settings):
                grant.sealed_settings = ring.reseal(grant.sealed_settings)
                changed += 1
        for mirror in repository.sealed_mirrors(session):
            if not ring.is_newest(mirror.sealed_url):
                mirror.sealed_url = ring.reseal(mirror.sealed_url)
                changed += 1
        for destination in repository.sealed_destinations(session):
            if not ring.is_newest(destination.sealed_secret):
                destination.sealed_secret = ring.reseal(destination.sealed_secret)
                changed += 1
        for booking in repository.sealed_bookings(session):
            if not ring.is_newest(booking.sealed_salt):
                booking.sealed_salt = ring.reseal(booking.sealed_salt)
                changed += 1
    return changed

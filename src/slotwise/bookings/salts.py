"""The guest's salt, sealed at rest: the one place that seals and opens `bookings.sealed_salt`.

The salt is the guest's capability inside their booking_ref, and every guest-facing email and
link is built from it again later, so it cannot be hashed like the organizer's secret; it is
sealed with the keyring instead (see slotwise.capabilities, slotwise.keyring).
"""

from __future__ import annotations

from slotwise import keyring
from slotwise.db.models import Booking


def seal_salt(salt: str) -> str:
    return keyring.seal(salt)


def guest_salt(booking: Booking) -> str:
    """The guest's salt in clear (compare it with capabilities.same_secret, never with ==)."""
    return keyring.unseal(booking.sealed_salt)

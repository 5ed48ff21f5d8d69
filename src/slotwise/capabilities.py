"""Secrets that callers present, and the two capabilities a booking hands out.

A booking has two independent random secrets, each packed into a booking_ref the same way
(configuration UUID + booking UUID + secret, see ids.py), so the web component accepts both:

* the guest's salt (`bookings.sealed_salt`): view, reschedule and cancel the booking. It is
  sealed with the keyring, not hashed, because every guest-facing email and link is built from
  it again later; bookings.salts.guest_salt opens it;
* the organizer's salt: confirm or decline a pending booking. It is only ever needed once, in
  the booking.pending notification written with the booking, so only its SHA-256 is stored
  (`bookings.organizer_secret_hash`).

Neither is derived from the other. Every comparison of a secret that came from a request goes
through `same_secret`, which takes any text (non-ASCII, lone surrogates) without raising.
"""

from __future__ import annotations

import hashlib
import hmac


def _bytes(text: str) -> bytes:
    # surrogatepass: JSON may carry a lone surrogate, which plain UTF-8 refuses to encode.
    return text.encode("utf-8", "surrogatepass")


def same_secret(given: str, expected: str) -> bool:
    """Constant-time equality of two secrets as text (hmac.compare_digest only takes ASCII str)."""
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def secret_hash(secret: str) -> str:
    """The stored form of a random secret (hex SHA-256; the secrets are 128-bit random)."""
    return hashlib.sha256(_bytes(secret)).hexdigest()


def matches_hash(given: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and same_secret(secret_hash(given), stored_hash)

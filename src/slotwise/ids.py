"""Identifiers: UUIDs for the things booking_ref packs, and the booking_ref codec itself.

booking_ref = URL-safe base64 (no padding) of configuration UUID bytes (16) + booking UUID
bytes (16) + salt bytes. Decoding accepts either base64 alphabet, with or without padding.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from dataclasses import dataclass


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_id() -> str:
    """An opaque id for objects that no booking_ref carries (grants, calendars, events)."""
    return secrets.token_hex(12)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    normalized = text.strip().replace("+", "-").replace("/", "_")
    normalized += "=" * (-len(normalized) % 4)
    return base64.urlsafe_b64decode(normalized.encode("ascii"))


@dataclass(frozen=True)
class BookingRef:
    configuration_id: str
    booking_id: str
    salt: str  # URL-safe base64, unpadded


def new_salt() -> str:
    return b64url(secrets.token_bytes(16))


def encode_booking_ref(configuration_id: str, booking_id: str, salt: str) -> str:
    raw = uuid.UUID(configuration_id).bytes + uuid.UUID(booking_id).bytes + b64url_decode(salt)
    return b64url(raw)


def decode_booking_ref(ref: str) -> BookingRef | None:
    """Return the parts of a booking_ref, or None when it is not one."""
    try:
        raw = b64url_decode(ref)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    if len(raw) < 33:
        return None
    return BookingRef(
        configuration_id=str(uuid.UUID(bytes=raw[:16])),
        booking_id=str(uuid.UUID(bytes=raw[16:32])),
        salt=b64url(raw[32:]),
    )

"""`Idempotency-Key` on booking creation: a retry gets the first response.

The key is reserved (a row in `idempotency_records`) inside the booking's own transaction, under
a savepoint: a concurrent request with the same key waits for the first to finish and then
replays its answer. Only successful creations are kept; a failed one rolls back its key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import IdempotencyRecord
from slotwise.errors import InvalidRequest

PREFIX = "bookings:"
MAX_KEY = 255


class InvalidIdempotencyKey(InvalidRequest):
    error_type = "api.invalid_idempotency_key"


def request_hash(parts: dict[str, Any]) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _compare(record: IdempotencyRecord, digest: str) -> IdempotencyRecord:
    if record.request_hash != digest:
        raise InvalidIdempotencyKey(
            "Idempotency-Key: this key was already used with a different request"
        )
    return record


def reserve(session: Session, key: str, digest: str) -> IdempotencyRecord | None:
    """The stored answer to replay, or None after reserving the key for this request."""
    if not key or len(key) > MAX_KEY:
        raise InvalidRequest(f"Idempotency-Key: must be 1 to {MAX_KEY} characters")
    full = PREFIX + key
    found = session.get(IdempotencyRecord, full)
    if found is not None:
        return _compare(found, digest)
    try:
        with session.begin_nested():
            session.add(
                IdempotencyRecord(
                    key=full, request_hash=digest, status_code=0, body={}, created_at=clock.now()
                )
            )
    except IntegrityError:
        # Someone else committed this key meanwhile (we waited for them): replay theirs.
        found = session.get(IdempotencyRecord, full, populate_existing=True)
        if found is None:
            raise InvalidIdempotencyKey("Idempotency-Key: is being used right now") from None
        return _compare(found, digest)
    return None


def complete(session: Session, key: str, status_code: int, body: dict[str, Any]) -> None:
    record = session.get(IdempotencyRecord, PREFIX + key)
    if record is not None:
        record.status_code = status_code
        record.body = body
        session.flush()

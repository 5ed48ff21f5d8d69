"""Request state every HTTP face reads: the app's settings and database, the caller's key."""

from __future__ import annotations

import hashlib

from fastapi import Request
from sqlalchemy.orm import Session

from slotwise.capabilities import same_secret
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.tokens import repository


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_admin_key(request: Request, session: Session | None, token: str | None) -> bool:
    """Whether `token` is an admin API key; asks the database (a short read session when
    `session` is None) every time.

    No process remembers a key as valid: a key revoked by `slotwise api-key revoke` (in any
    process) is refused on the very next request everywhere. The lookup is one unique-index
    read (docs/security.md has its measured cost).
    """
    if not token:
        return False
    settings = get_settings(request)
    if settings.api_key and same_secret(token, settings.api_key):
        return True
    digest = hash_api_key(token)
    if session is None:
        with get_db(request).session(write=False) as read:
            found = repository.api_key_of_digest(read, digest)
    else:
        found = repository.api_key_of_digest(session, digest)
    return found is not None

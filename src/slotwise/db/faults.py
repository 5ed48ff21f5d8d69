"""Which database failures mean "the database is unavailable right now" (answer 503, retry).

An unreachable or refusing PostgreSQL, a terminated connection, a pool that cannot hand out a
connection in time, and on SQLite a locked, read-only, full or unopenable file: none is the
client's fault and none says anything about the request, so clients are told to retry.
Everything else (a constraint, a bad statement) is a bug or a conflict and is not hidden here.
"""

from __future__ import annotations

from sqlalchemy import exc

# SQLite reports these as OperationalError with only a message to tell them apart.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "readonly database",
    "read-only",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
    "disk is full",
)

# How long a client is told to wait before retrying (the Retry-After header), in seconds.
RETRY_AFTER_SECONDS = 2


def sqlite_unavailable_message(message: str) -> bool:
    lowered = message.lower()
    return any(marker in lowered for marker in _SQLITE_UNAVAILABLE)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot serve now, rather than the request is bad."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, exc.InterfaceError):
        return True
    if not isinstance(error, exc.OperationalError):
        return False
    module = type(error.orig).__module__ if error.orig is not None else ""
    if module.startswith("sqlite3"):
        return sqlite_unavailable_message(str(error.orig))
    # psycopg raises OperationalError for connection failures, refusals ("database does not
    # allow connections"), terminated backends and server shutdowns.
    return True

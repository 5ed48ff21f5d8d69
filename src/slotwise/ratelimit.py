"""Fixed-window rate-limit counters kept in the database, so every process counts together.

A key names what is counted ("public-write:addr:203.0.113.7", "failed-auth:key:<sha256>");
its row holds the start of its current window and the hits in it. One
`INSERT … ON CONFLICT DO UPDATE … RETURNING` counts a hit atomically on PostgreSQL and SQLite
alike: a hit in a later window starts the row again at 1. A fixed window lets through at most
twice the limit across a window boundary; the limits are set with that in mind.

Counting writes, so it runs in its own short transaction, before the request's unit of work
(on SQLite, a second writer inside a request's write transaction would wait for itself).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.lists import bound_list, one_of
from slotwise.db.models import RateLimitCounter

# One counting call in this many also deletes the rows of windows long gone.
_SWEEP_ONE_IN = 200


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int  # hits allowed per window; 0 means no limit


def _window_start(now: int, window: int) -> int:
    return now - now % window


def hit(db: Database, limits: Sequence[Limit], window: int) -> int | None:
    """Count one hit on every limited key; the seconds until the window ends when any key is
    now over its limit, else None."""
    unique = {lim.key: lim for lim in limits if lim.limit > 0}  # a key counts once a request
    active = [unique[key] for key in sorted(unique)]
    if not active or window <= 0:
        return None
    now = clock.now()
    start = _window_start(now, window)
    insert = sqlite.insert if db.is_sqlite else postgresql.insert
    rows = [{"key": lim.key, "window_start": start, "hits": 1} for lim in active]
    values = insert(RateLimitCounter).values(rows)
    # Every key in one statement; keys in a fixed order, so two requests never deadlock.
    statement = values.on_conflict_do_update(
        index_elements=[RateLimitCounter.key],
        set_={
            "hits": case(
                (RateLimitCounter.window_start == start, RateLimitCounter.hits + 1),
                else_=1,
            ),
            "window_start": start,
        },
    ).returning(RateLimitCounter.key, RateLimitCounter.hits)
    with db.session() as session:
        if not db.is_sqlite:
            # A count lost in a crash is harmless: don't make the request wait for the WAL flush.
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        hits: dict[str, int] = {key: count for key, count in session.execute(statement)}
        if random.randrange(_SWEEP_ONE_IN) == 0:
            session.execute(
                delete(RateLimitCounter).where(RateLimitCounter.window_start < start - window)
            )
    over = any(hits[lim.key] > lim.limit for lim in active)
    return start + window - now if over else None


@functools.cache
def _hits_query() -> Any:
    # Built once and run on a plain connection: every API-key request asks it (`blocked`),
    # and a new statement and an ORM session each time were most of its cost.
    return select(RateLimitCounter.key, RateLimitCounter.hits).where(
        one_of(RateLimitCounter.key, bound_list("keys")),
        RateLimitCounter.window_start == bindparam("start"),
    )


def blocked(
    db: Database, limits: Sequence[Limit], window: int, *, session: Session | None = None
) -> int | None:
    """Without counting: the seconds until the window ends when any key has used up its
    limit, else None. Read in `session` when given (a request that has its read session open
    already saves a connection's checkout and its transaction), else on a connection of its own.
    """
    active = [lim for lim in limits if lim.limit > 0]
    if not active or window <= 0:
        return None
    now = clock.now()
    start = _window_start(now, window)
    params = {"keys": [lim.key for lim in active], "start": start}
    if session is not None:
        hits: dict[str, int] = dict(session.connection().execute(_hits_query(), params).all())
    else:
        with db.engine.connect() as conn:
            hits = dict(conn.execute(_hits_query(), params).all())
    if any(hits.get(lim.key, 0) >= lim.limit for lim in active):
        return start + window - now
    return None

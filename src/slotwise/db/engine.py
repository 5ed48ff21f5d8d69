"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Writes open their transaction with
`BEGIN IMMEDIATE`, so two writers never interleave read-check-write sequences (the guarantee the
booking path relies on); reads stay `DEFERRED` and never block on a writer.

PostgreSQL connections get planner settings for what Slotwise's queries are: index-bounded
reads of one request's rows from a cached working set (`POSTGRES_SETTINGS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from slotwise.db.faults import sqlite_unavailable_message


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # A connection that met a read-only, full or vanished file keeps failing after the
        # cause is gone (SQLite caches how it opened the file): treat it like a dropped
        # connection, so the pool opens fresh ones and recovers without a restart. A busy
        # ("locked") database is not the connection's fault and keeps it.
        message = str(context.original_exception)
        if sqlite_unavailable_message(message) and "locked" not in message.lower():
            context.is_disconnect = True

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


# Why each, measured on an installation of 5,050 grants and 1.1 M events against one of 50
# (bench/scale.py): the 50-person availability's busy query returns 132 rows in 0.6 ms, but its
# cost estimate grows with the table's statistics until the planner hands it to two parallel
# workers, whose start-up took 12-20 ms (the request went from 24 to 32 ms). No query of a
# request reads enough rows for workers to pay for themselves. With the default
# random_page_cost (4, a spinning disk's) the planner also preferred scanning the whole
# calendars table (0.4 ms) to 50 index probes (0.06 ms); 1.1 is the usual value for SSDs and
# cached data and makes the plans follow the request's rows, not the table's size.
POSTGRES_SETTINGS = {"max_parallel_workers_per_gather": "0", "random_page_cost": "1.1"}


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Session-level, once per pooled connection: outside any transaction, so that a
        # rollback cannot undo it.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            for name, value in POSTGRES_SETTINGS.items():
                cursor.execute(f"SET {name} = {value}")
        dbapi_connection.autocommit = autocommit


class Database:
    """One engine and its two session factories: read (deferred) and write (immediate)."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = normalize_url(url)
        if is_sqlite(self.url):
            self.engine = create_engine(
                self.url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(
                self.url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True
            )
            _configure_postgres(self.engine)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back otherwise."""
        factory = self.write_sessions if write else self.read_sessions
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()

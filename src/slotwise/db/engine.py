"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Writes open their transaction with
`BEGIN IMMEDIATE`, so two writers never interleave read-check-write sequences (the guarantee the
booking path relies on); reads stay `DEFERRED` and never block on a writer.
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

"""Alembic environment: runs against the URL that slotwise.db.migrate puts in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from slotwise.db import models  # noqa: F401  (registers every table on Base.metadata)
from slotwise.db.base import Base

config = context.config
target_metadata = Base.metadata

# Key of the PostgreSQL advisory lock that serialises migrations (any constant the other
# users of the database do not take; "slotwise" in ASCII).
MIGRATION_LOCK_KEY = 0x736C6F7477697365


def _lock(connection: Connection) -> None:
    """Let one process migrate at a time: replicas started together on a fresh database
    would otherwise all try to create `alembic_version`. The others wait here, then find the
    schema up to date. A session lock, so it outlives the migration transactions; closing the
    connection releases it whatever happens."""
    if connection.dialect.name != "postgresql":
        return  # SQLite: one writer at a time already (and a single-host database)
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _lock(connection)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()

"""Test databases: SQLite always; PostgreSQL too when SLOTWISE_TEST_DATABASE_URL is set.

Each run builds its schema by running the real migrations, once per backend (and per xdist
worker), then empties every table before each test.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from slotwise.db.base import Base
from slotwise.db.engine import Database, normalize_url
from slotwise.db.migrate import upgrade

PG_ENV = "SLOTWISE_TEST_DATABASE_URL"


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def fresh_postgres_url(worker: str) -> str:
    """A PostgreSQL database of its own for this worker, created empty."""
    base = make_url(normalize_url(os.environ[PG_ENV]))
    name = f"{base.database}_{worker}" if worker != "master" else base.database
    # Created from the server's maintenance database, so the named one need not exist yet.
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def migrated_url(backend: str, tmp_dir: Path, worker: str) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / 'slotwise.db'}"
    else:
        url = fresh_postgres_url(worker)
    upgrade(url)
    return url


def empty_all_tables(db: Database) -> None:
    with db.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())

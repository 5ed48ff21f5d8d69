"""The schema the migrations build is exactly the one the models describe."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from slotwise.db.base import Base
from slotwise.db.engine import Database


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn, warnings.catch_warnings():
        if db.is_sqlite:
            # SQLite cannot reflect expression-based indexes (ix_grants_email_lower), so
            # Alembic cannot compare them there; the PostgreSQL run compares that index.
            warnings.filterwarnings(
                "ignore", "autogenerate skipping metadata-specified expression-based index"
            )
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []

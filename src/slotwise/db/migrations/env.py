"""Alembic environment: runs against the URL that slotwise.db.migrate puts in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from slotwise.db import models  # noqa: F401  (registers every table on Base.metadata)
from slotwise.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
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

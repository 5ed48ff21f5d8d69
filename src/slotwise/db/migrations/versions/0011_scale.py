"""scale: indexes that make a request's cost follow its own data

`lower(email)` for participant lookups; partial indexes of long single events and of
recurring masters, so window queries can bound how far back they read.

Revision ID: 0011_scale
Revises: 0005_providers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_scale"
down_revision: str | None = "0005_providers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same text as slotwise.db.models.event.LONG_SPAN_PREDICATE (a migration must not change when
# the model does, so it is spelt out here).
_LONG_SPAN = "end_ts - start_ts > 172800"


def upgrade() -> None:
    # IF NOT EXISTS: a large PostgreSQL installation may build these beforehand with CREATE
    # INDEX CONCURRENTLY (docs/operations.md, "Upgrades"), so bookings are not blocked meanwhile.
    op.create_index(
        "ix_grants_email_lower",
        "grants",
        [sa.text("lower(email)")],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_events_calendar_long",
        "events",
        ["calendar_id", "end_ts"],
        unique=False,
        if_not_exists=True,
        postgresql_where=sa.text(_LONG_SPAN),
        sqlite_where=sa.text(_LONG_SPAN),
    )
    # Replaces (calendar_id, is_recurring, recur_until): with every single event in that index
    # too, a planner could not tell the few open-ended masters from the many single events.
    op.create_index(
        "ix_events_calendar_masters",
        "events",
        ["calendar_id", "recur_until"],
        unique=False,
        if_not_exists=True,
        postgresql_where=sa.text("is_recurring"),
        sqlite_where=sa.text("is_recurring = 1"),
    )
    op.drop_index("ix_events_calendar_recur", table_name="events", if_exists=True)


def downgrade() -> None:
    op.create_index(
        "ix_events_calendar_recur",
        "events",
        ["calendar_id", "is_recurring", "recur_until"],
        unique=False,
    )
    op.drop_index("ix_events_calendar_masters", table_name="events")
    op.drop_index("ix_events_calendar_long", table_name="events")
    op.drop_index("ix_grants_email_lower", table_name="grants")

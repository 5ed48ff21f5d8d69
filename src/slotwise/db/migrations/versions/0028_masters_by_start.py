"""events: recurring masters indexed by calendar, last occurrence and first start

Busy time and the event list reach open-ended series (no last occurrence) with
`recur_until IS NULL AND start_ts < :end`. With the index on (calendar_id, recur_until) alone,
SQLite without fresh statistics (a server started on an empty database, then filled before
the worker's next refresh) read that branch through ix_events_calendar_span instead: every
event of each calendar that starts before the window ends, its whole past, on every
availability request and booking check. With start_ts as the third column the branch is two
equalities and a range on this index, which the planner prefers with statistics or without.
PostgreSQL chose well already; the index stays one declaration for both.

Revision ID: 0028_masters_by_start
Revises: 0027_busy_short_singles
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_masters_by_start"
down_revision: str | None = "0027_busy_short_singles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0011_scale"  # the index it rebuilds

_NAME = "ix_events_calendar_masters"


def _rebuild(columns: list[str]) -> None:
    op.drop_index(_NAME, table_name="events")
    op.create_index(
        _NAME,
        "events",
        columns,
        postgresql_where=sa.text("is_recurring"),
        sqlite_where=sa.text("is_recurring = 1"),
    )


def upgrade() -> None:
    _rebuild(["calendar_id", "recur_until", "start_ts"])


def downgrade() -> None:
    _rebuild(["calendar_id", "recur_until"])

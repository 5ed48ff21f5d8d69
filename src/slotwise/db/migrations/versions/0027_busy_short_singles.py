"""events: on SQLite, the busy read's covering index holds only short, not cancelled events

The availability hot path reads busy single events that are short (at most two days; longer
ones come through ix_events_calendar_long) and not cancelled. With both terms in the partial
index's predicate SQLite no longer evaluates them event by event (bench/README.md,
"request_cost.py"). PostgreSQL keeps its index as it was.

Revision ID: 0027_busy_short_singles
Revises: 0026_holds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_busy_short_singles"
down_revision: str | None = "0026_holds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0018_busy_singles_index"  # the index it rebuilds

# Same text as slotwise.db.models.event.BUSY_SINGLES_SQLITE (a migration must not change when
# the model does); 0018's before it.
_SQLITE = "busy = 1 AND is_recurring = 0 AND status != 'cancelled' AND end_ts - start_ts <= 172800"
_SQLITE_BEFORE = "busy = 1 AND is_recurring = 0"
_COLUMNS = ["calendar_id", "start_ts", "end_ts", "status", "busy", "is_recurring"]


def _rebuild(predicate: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_events_busy_singles", table_name="events")
    op.create_index("ix_events_busy_singles", "events", _COLUMNS, sqlite_where=sa.text(predicate))


def upgrade() -> None:
    _rebuild(_SQLITE)


def downgrade() -> None:
    _rebuild(_SQLITE_BEFORE)

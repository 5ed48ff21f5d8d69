"""events: a covering index of busy single events, for the availability hot path

Availability reads every busy single event of its calendars in the window. Through
ix_events_calendar_span that was an index range plus a table lookup per event (for busy,
status and is_recurring); this partial index holds exactly the busy single events with the
columns the read needs, so the read is an index-only range scan (busy and is_recurring are
columns too, not only the predicate: SQLite counts an index as covering only for its columns).

Revision ID: 0018_busy_singles_index
Revises: 0011_scale
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_busy_singles_index"
down_revision: str | None = "0011_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same text as slotwise.db.models.event.BUSY_SINGLES_* (a migration must not change when the
# model does).
_POSTGRESQL = "busy AND NOT is_recurring"
_SQLITE = "busy = 1 AND is_recurring = 0"


def upgrade() -> None:
    op.create_index(
        "ix_events_busy_singles",
        "events",
        ["calendar_id", "start_ts", "end_ts", "status", "busy", "is_recurring"],
        postgresql_where=sa.text(_POSTGRESQL),
        sqlite_where=sa.text(_SQLITE),
    )


def downgrade() -> None:
    op.drop_index("ix_events_busy_singles", table_name="events")

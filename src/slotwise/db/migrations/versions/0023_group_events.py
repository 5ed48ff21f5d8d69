"""group events: the calendar events a group configuration sells seats in

A group configuration (`type: "group"`) has no participants: it offers the events listed in
`group_events`, each occurrence with `capacity` seats. A seat is a booking whose
`group_event_id` names the occurrence (its own `event_id` stays NULL: the event is the
group's).

Revision ID: 0023_group_events
Revises: 0014_sealed_salts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_group_events"
down_revision: str | None = "0014_sealed_salts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column(
            "configuration_id",
            sa.String(36),
            sa.ForeignKey("configurations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("grant_id", sa.String(64), nullable=False),
        sa.Column("calendar_id", sa.String(64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_group_events_configuration_id", "group_events", ["configuration_id"])
    op.add_column("bookings", sa.Column("group_event_id", sa.String(64), nullable=True))
    op.create_index("ix_bookings_group_event", "bookings", ["group_event_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_bookings_group_event", table_name="bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("group_event_id")
    op.drop_index("ix_group_events_configuration_id", table_name="group_events")
    op.drop_table("group_events")

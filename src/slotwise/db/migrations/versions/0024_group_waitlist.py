"""group waitlist: guests waiting for a seat in a full group event occurrence

Revision ID: 0024_group_waitlist
Revises: 0023_group_events
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_group_waitlist"
down_revision: str | None = "0023_group_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_waitlist",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "configuration_id",
            sa.String(36),
            sa.ForeignKey("configurations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("occurrence_id", sa.String(64), nullable=False),
        sa.Column("start_ts", sa.BigInteger(), nullable=False),
        sa.Column("end_ts", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("guest_email", sa.String(320), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("booking_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_group_waitlist_configuration_id", "group_waitlist", ["configuration_id"])
    op.create_index(
        "ix_group_waitlist_occurrence", "group_waitlist", ["occurrence_id", "status", "position"]
    )


def downgrade() -> None:
    op.drop_index("ix_group_waitlist_occurrence", table_name="group_waitlist")
    op.drop_index("ix_group_waitlist_configuration_id", table_name="group_waitlist")
    op.drop_table("group_waitlist")

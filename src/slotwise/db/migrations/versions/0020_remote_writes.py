"""remote writes: bookings' events written to their calendar server after the commit

Revision ID: 0020_remote_writes
Revises: 0011_scale
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_remote_writes"
down_revision: str | None = "0011_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remote_writes",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column(
            "calendar_id",
            sa.String(64),
            sa.ForeignKey("calendars.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("claimed_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_remote_writes_due", "remote_writes", ["next_attempt_ms"])


def downgrade() -> None:
    op.drop_index("ix_remote_writes_due", table_name="remote_writes")
    op.drop_table("remote_writes")

"""holds: a slot kept for a guest while they fill in the booking form

Revision ID: 0026_holds
Revises: 0025_limits
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_holds"
down_revision: str | None = "0025_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "configuration_id",
            sa.String(36),
            sa.ForeignKey("configurations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("guest_key", sa.String(320), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("start_ts", sa.BigInteger(), nullable=False),
        sa.Column("end_ts", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("configuration_id", "guest_key", name="uq_holds_guest"),
    )
    op.create_index("ix_holds_configuration_expiry", "holds", ["configuration_id", "expires_at"])
    op.create_table(
        "hold_hosts",
        sa.Column(
            "hold_id",
            sa.String(36),
            sa.ForeignKey("holds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "grant_id",
            sa.String(64),
            sa.ForeignKey("grants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_hold_hosts_grant_id", "hold_hosts", ["grant_id"])


def downgrade() -> None:
    op.drop_index("ix_hold_hosts_grant_id", table_name="hold_hosts")
    op.drop_table("hold_hosts")
    op.drop_index("ix_holds_configuration_expiry", table_name="holds")
    op.drop_table("holds")

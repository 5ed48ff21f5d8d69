"""events: a round-robin booking's place in its configuration's rotation

Bookings record their creation time to the second, so two bookings of one round-robin
configuration in the same second tied and the rotation broke the tie by email. `rotation_seq`
numbers a configuration's booked events (1, 2, …) under the booking's locks; the rotation
orders by (created_at, rotation_seq). Existing events keep NULL (they order by time alone).

Revision ID: 0015_rotation_seq
Revises: 0011_scale
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_rotation_seq"
down_revision: str | None = "0011_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("rotation_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("rotation_seq")

"""bookings: the organizer's confirmation secret, apart from the guest's salt

Revision ID: 0006_secguest
Revises: 0002_scheduling

Until now one salt was both the guest's capability (manage the booking) and the organizer's
(confirm it). A pending booking's existing booking_ref went to the organizer (booking.pending,
the confirmation email), so that salt becomes the organizer's secret (stored hashed) and the
guest gets a fresh salt; booked and cancelled bookings need no organizer secret.
"""

import base64
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_secguest"
down_revision: str | None = "0002_scheduling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _new_salt() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("organizer_secret_hash", sa.String(length=64), nullable=True))
    bookings = sa.table(
        "bookings",
        sa.column("id", sa.String()),
        sa.column("status", sa.String()),
        sa.column("salt", sa.String()),
        sa.column("organizer_secret_hash", sa.String()),
    )
    connection = op.get_bind()
    pending = connection.execute(
        sa.select(bookings.c.id, bookings.c.salt).where(bookings.c.status == "pending")
    ).all()
    for booking_id, salt in pending:
        connection.execute(
            bookings.update()
            .where(bookings.c.id == booking_id)
            .values(
                organizer_secret_hash=hashlib.sha256(salt.encode("utf-8")).hexdigest(),
                salt=_new_salt(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("organizer_secret_hash")

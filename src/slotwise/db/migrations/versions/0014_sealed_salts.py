"""bookings: the guest's salt sealed with the keyring

The guest's salt (their capability inside the booking_ref) is read back to build later emails'
links, so it is sealed, like webhook secrets: `bookings.salt` becomes `bookings.sealed_salt`.
Existing booking_refs keep working (the same salt, sealed).

Sealing existing rows needs the keyring (SLOTWISE_SECRET_KEY or the data-dir key file), which
the CLI configures before it migrates.

Revision ID: 0014_sealed_salts
Revises: 0006_secguest, 0008_secsecrets
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_sealed_salts"
down_revision: str | Sequence[str] | None = ("0006_secguest", "0008_secsecrets")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_bookings = sa.table(
    "bookings",
    sa.column("id", sa.String),
    sa.column("salt", sa.String),
    sa.column("sealed_salt", sa.Text),
)


def upgrade() -> None:
    from slotwise import keyring

    bind = op.get_bind()
    op.add_column("bookings", sa.Column("sealed_salt", sa.Text(), nullable=True))
    for booking_id, salt in bind.execute(sa.select(_bookings.c.id, _bookings.c.salt)).all():
        bind.execute(
            _bookings.update()
            .where(_bookings.c.id == booking_id)
            .values(sealed_salt=keyring.seal(salt))
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column("sealed_salt", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("salt")


def downgrade() -> None:
    from slotwise import keyring

    bind = op.get_bind()
    op.add_column("bookings", sa.Column("salt", sa.String(64), nullable=True))
    for booking_id, sealed in bind.execute(
        sa.select(_bookings.c.id, _bookings.c.sealed_salt)
    ).all():
        bind.execute(
            _bookings.update()
            .where(_bookings.c.id == booking_id)
            .values(salt=keyring.unseal(sealed))
        )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column("salt", existing_type=sa.String(64), nullable=False)
        batch_op.drop_column("sealed_salt")

"""booking limits: each booking's hosts by grant, and per-grant limits

`booking_hosts` ties every booked host of a booking to their grant, so that a person's
bookings across every configuration are one indexed read (booking limits count them).
Existing bookings are filled in: the organizer's grant, and each other booked host whose email
a grant has.

Revision ID: 0025_limits
Revises: 0020_remote_writes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_limits"
down_revision: str | None = "0020_remote_writes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_hosts",
        sa.Column(
            "booking_id",
            sa.String(36),
            sa.ForeignKey("bookings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "grant_id",
            sa.String(64),
            sa.ForeignKey("grants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_booking_hosts_grant_id", "booking_hosts", ["grant_id"])
    op.create_table(
        "grant_limits",
        sa.Column(
            "grant_id",
            sa.String(64),
            sa.ForeignKey("grants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    _fill_booking_hosts()


def _fill_booking_hosts() -> None:
    bind = op.get_bind()
    bookings = sa.table(
        "bookings",
        sa.column("id", sa.String),
        sa.column("organizer_grant_id", sa.String),
        sa.column("hosts", sa.JSON),
    )
    grants = sa.table("grants", sa.column("id", sa.String), sa.column("email", sa.String))
    hosts = sa.table("booking_hosts", sa.column("booking_id"), sa.column("grant_id"))
    by_email: dict[str, list[str]] = {}
    for grant_id, email in bind.execute(sa.select(grants.c.id, grants.c.email)).all():
        by_email.setdefault(str(email).lower(), []).append(grant_id)
    rows = bind.execute(
        sa.select(bookings.c.id, bookings.c.organizer_grant_id, bookings.c.hosts)
    ).all()
    for booking_id, organizer_grant_id, emails in rows:
        found = {organizer_grant_id}
        for email in (emails or [])[1:]:
            found.update(by_email.get(str(email).lower(), []))
        bind.execute(hosts.insert(), [{"booking_id": booking_id, "grant_id": g} for g in found])


def downgrade() -> None:
    op.drop_table("grant_limits")
    op.drop_index("ix_booking_hosts_grant_id", table_name="booking_hosts")
    op.drop_table("booking_hosts")

"""pages: grant access tokens, v2 scheduling pages, their accounts, bookings and images

Revision ID: 0012_pages
Revises: 0002_scheduling
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_pages"
down_revision: str | None = "0002_scheduling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_access_tokens_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_tokens_token_hash")),
    )
    op.create_index(op.f("ix_access_tokens_grant_id"), "access_tokens", ["grant_id"])
    op.create_table(
        "scheduling_pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("configuration_id", sa.String(length=36), nullable=False),
        sa.Column("edit_token_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["configuration_id"],
            ["configurations.id"],
            name=op.f("fk_scheduling_pages_configuration_id_configurations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_pages")),
        sa.UniqueConstraint("configuration_id", name=op.f("uq_scheduling_pages_configuration_id")),
        sa.UniqueConstraint("edit_token_hash", name=op.f("uq_scheduling_pages_edit_token_hash")),
    )
    op.create_table(
        "page_accounts",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["scheduling_pages.id"],
            name=op.f("fk_page_accounts_page_id_scheduling_pages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_page_accounts_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_id", "grant_id", name=op.f("pk_page_accounts")),
    )
    op.create_index(op.f("ix_page_accounts_grant_id"), "page_accounts", ["grant_id"])
    op.create_table(
        "page_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.String(length=36), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("edit_hash_digest", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_page_bookings_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["scheduling_pages.id"],
            name=op.f("fk_page_bookings_page_id_scheduling_pages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_bookings")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_page_bookings_booking_id")),
        sa.UniqueConstraint("edit_hash_digest", name=op.f("uq_page_bookings_edit_hash_digest")),
    )
    op.create_index(op.f("ix_page_bookings_page_id"), "page_bookings", ["page_id"])
    op.create_table(
        "page_images",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("upload_token_hash", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("original_filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["scheduling_pages.id"],
            name=op.f("fk_page_images_page_id_scheduling_pages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_images")),
    )
    op.create_index(op.f("ix_page_images_page_id"), "page_images", ["page_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_page_images_page_id"), table_name="page_images")
    op.drop_table("page_images")
    op.drop_index(op.f("ix_page_bookings_page_id"), table_name="page_bookings")
    op.drop_table("page_bookings")
    op.drop_index(op.f("ix_page_accounts_grant_id"), table_name="page_accounts")
    op.drop_table("page_accounts")
    op.drop_table("scheduling_pages")
    op.drop_index(op.f("ix_access_tokens_grant_id"), table_name="access_tokens")
    op.drop_table("access_tokens")

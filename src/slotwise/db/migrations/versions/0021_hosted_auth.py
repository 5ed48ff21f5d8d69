"""hosted auth: redirect URIs, sign-in attempts, authorization codes, refresh tokens, signing
keys; access tokens gain an expiry and a refresh family

Revision ID: 0021_hosted_auth
Revises: 0012_pages
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_hosted_auth"
down_revision: str | None = "0012_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _grant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["grant_id"], ["grants.id"], name=op.f(f"fk_{table}_grant_id_grants"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "redirect_uris",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redirect_uris")),
        sa.UniqueConstraint("url", name=op.f("uq_redirect_uris_url")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("state", sa.String(length=1000), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("access_type", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("tries_left", sa.Integer(), nullable=False),
        sa.Column("code_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index(op.f("ix_sign_in_attempts_expires_at"), "sign_in_attempts", ["expires_at"])
    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("access_type", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        _grant_fk("authorization_codes"),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_codes")),
    )
    op.create_index(op.f("ix_authorization_codes_grant_id"), "authorization_codes", ["grant_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _grant_fk("refresh_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_refresh_tokens_grant_id"), "refresh_tokens", ["grant_id"])
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("retired_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_index(op.f("ix_signing_keys_created_at"), "signing_keys", ["created_at"])
    with op.batch_alter_table("access_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("family_id", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_access_tokens_family_id"), "access_tokens", ["family_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_access_tokens_family_id"), table_name="access_tokens")
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_column("family_id")
        batch.drop_column("expires_at")
    op.drop_index(op.f("ix_signing_keys_created_at"), table_name="signing_keys")
    op.drop_table("signing_keys")
    op.drop_index(op.f("ix_refresh_tokens_grant_id"), table_name="refresh_tokens")
    op.drop_index(op.f("ix_refresh_tokens_family_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index(op.f("ix_authorization_codes_grant_id"), table_name="authorization_codes")
    op.drop_table("authorization_codes")
    op.drop_index(op.f("ix_sign_in_attempts_expires_at"), table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_table("redirect_uris")

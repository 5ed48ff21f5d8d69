"""secrets at rest and rate limits

Provider settings are sealed (grants.sealed_settings) and only their shown part is kept in
grants.settings; mirrored calendars' URLs and webhook secrets are sealed; scheduling sessions are keyed by the SHA-256 of
their token, so existing sessions (whose tokens were stored as they are) are deleted: their
holders must ask for new ones. Adds the rate-limit counters.

Sealing existing rows needs the keyring (SLOTWISE_SECRET_KEY or the data-dir key file), which
the CLI configures before it migrates.

Revision ID: 0008_secsecrets
Revises: 0002_scheduling, 0003_webhooks, 0005_providers
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_secsecrets"
down_revision: str | Sequence[str] | None = ("0002_scheduling", "0003_webhooks", "0005_providers")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The provider settings shown in clear, as of this revision (providers.credentials.SHOWN).
_SHOWN = ("email", "name", "timezone", "username")


def _shown(settings: dict[str, Any]) -> dict[str, Any]:
    from slotwise.redact import redact_url

    shown = {key: settings[key] for key in _SHOWN if key in settings}
    if isinstance(settings.get("url"), str):
        shown["url"] = redact_url(settings["url"])
    return shown


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def upgrade() -> None:
    from slotwise import keyring

    bind = op.get_bind()
    grants = sa.table(
        "grants",
        sa.column("id", sa.String),
        sa.column("settings", sa.JSON),
        sa.column("sealed_settings", sa.Text),
    )
    op.add_column("grants", sa.Column("sealed_settings", sa.Text(), nullable=True))
    for grant_id, settings in bind.execute(sa.select(grants.c.id, grants.c.settings)).all():
        settings = _as_dict(settings)
        bind.execute(
            grants.update()
            .where(grants.c.id == grant_id)
            .values(sealed_settings=keyring.seal(json.dumps(settings)), settings=_shown(settings))
        )

    destinations = sa.table(
        "webhook_destinations",
        sa.column("id", sa.String),
        sa.column("secret", sa.String),
        sa.column("sealed_secret", sa.Text),
    )
    op.add_column("webhook_destinations", sa.Column("sealed_secret", sa.Text(), nullable=True))
    for destination_id, secret in bind.execute(
        sa.select(destinations.c.id, destinations.c.secret)
    ).all():
        bind.execute(
            destinations.update()
            .where(destinations.c.id == destination_id)
            .values(sealed_secret=keyring.seal(secret))
        )
    with op.batch_alter_table("webhook_destinations", schema=None) as batch_op:
        batch_op.alter_column("sealed_secret", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("secret")

    mirrors = sa.table(
        "provider_calendars",
        sa.column("calendar_id", sa.String),
        sa.column("url", sa.Text),
    )
    for calendar_id, url in bind.execute(sa.select(mirrors.c.calendar_id, mirrors.c.url)).all():
        bind.execute(
            mirrors.update()
            .where(mirrors.c.calendar_id == calendar_id)
            .values(url=keyring.seal(url))
        )
    with op.batch_alter_table("provider_calendars", schema=None) as batch_op:
        batch_op.alter_column("url", new_column_name="sealed_url", existing_type=sa.Text())

    op.execute("DELETE FROM scheduling_sessions")
    with op.batch_alter_table("scheduling_sessions", schema=None) as batch_op:
        batch_op.alter_column("id", new_column_name="token_hash", existing_type=sa.String(64))

    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )
    op.create_index(
        op.f("ix_rate_limit_counters_window_start"),
        "rate_limit_counters",
        ["window_start"],
        unique=False,
    )


def downgrade() -> None:
    from slotwise import keyring

    bind = op.get_bind()
    op.drop_index(op.f("ix_rate_limit_counters_window_start"), table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")

    op.execute("DELETE FROM scheduling_sessions")
    with op.batch_alter_table("scheduling_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_hash", new_column_name="id", existing_type=sa.String(64))

    with op.batch_alter_table("provider_calendars", schema=None) as batch_op:
        batch_op.alter_column("sealed_url", new_column_name="url", existing_type=sa.Text())
    mirrors = sa.table(
        "provider_calendars",
        sa.column("calendar_id", sa.String),
        sa.column("url", sa.Text),
    )
    for calendar_id, sealed in bind.execute(sa.select(mirrors.c.calendar_id, mirrors.c.url)).all():
        bind.execute(
            mirrors.update()
            .where(mirrors.c.calendar_id == calendar_id)
            .values(url=keyring.unseal(sealed))
        )

    destinations = sa.table(
        "webhook_destinations",
        sa.column("id", sa.String),
        sa.column("secret", sa.String),
        sa.column("sealed_secret", sa.Text),
    )
    op.add_column("webhook_destinations", sa.Column("secret", sa.String(128), nullable=True))
    for destination_id, sealed in bind.execute(
        sa.select(destinations.c.id, destinations.c.sealed_secret)
    ).all():
        bind.execute(
            destinations.update()
            .where(destinations.c.id == destination_id)
            .values(secret=keyring.unseal(sealed))
        )
    with op.batch_alter_table("webhook_destinations", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(128), nullable=False)
        batch_op.drop_column("sealed_secret")

    grants = sa.table(
        "grants",
        sa.column("id", sa.String),
        sa.column("settings", sa.JSON),
        sa.column("sealed_settings", sa.Text),
    )
    for grant_id, sealed in bind.execute(
        sa.select(grants.c.id, grants.c.sealed_settings).where(
            grants.c.sealed_settings.is_not(None)
        )
    ).all():
        bind.execute(
            grants.update()
            .where(grants.c.id == grant_id)
            .values(settings=json.loads(keyring.unseal(sealed)))
        )
    with op.batch_alter_table("grants", schema=None) as batch_op:
        batch_op.drop_column("sealed_settings")

"""webhooks: a scheduling page's reminder webhook_url as a destination of its own

A v2 page reminder with a `webhook_url` is delivered to that URL only. The URL becomes a
webhook destination owned by the page's configuration (`configuration_id`), so its deliveries
take the worker's usual path (retries, breaker, outbound policy) while the registered-webhook
listing and the fan-out leave it out. `reminders.webhook_url` is where a reminder row goes.

Revision ID: 0016_page_reminder_hooks
Revises: 0014_sealed_salts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_page_reminder_hooks"
down_revision: str | None = "0014_sealed_salts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_destinations", sa.Column("configuration_id", sa.String(64), nullable=True)
    )
    op.create_index(
        "ix_webhook_destinations_configuration",
        "webhook_destinations",
        ["configuration_id", "webhook_url"],
    )
    op.add_column("reminders", sa.Column("webhook_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("webhook_url")
    op.drop_index("ix_webhook_destinations_configuration", table_name="webhook_destinations")
    with op.batch_alter_table("webhook_destinations") as batch:
        batch.drop_column("configuration_id")

"""Request bodies of /v3/webhooks (the edge only)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateWebhook(_Body):
    trigger_types: list[str]
    webhook_url: str
    description: str | None = None
    notification_email_addresses: list[str] | None = None
    compressed_delivery: bool | None = None


class UpdateWebhook(_Body):
    trigger_types: list[str] | None = None
    webhook_url: str | None = None
    description: str | None = None
    notification_email_addresses: list[str] | None = None
    compressed_delivery: bool | None = None
    status: Literal["active", "pause"] | None = None

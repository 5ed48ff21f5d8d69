"""Grant request bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from slotwise.events.schemas import check_email
from slotwise.validation import Line

Scope = list[Annotated[str, Field(max_length=500)]]


class GrantSettings(BaseModel):
    model_config = ConfigDict(extra="allow")

    email: str
    # The organizer's name in booking emails and invites: one line.
    name: Annotated[Line, Field(max_length=320)] | None = None
    timezone: str | None = None

    _email = field_validator("email")(check_email)


class ConnectCustom(BaseModel):
    model_config = ConfigDict(extra="ignore")

    provider: Annotated[str, Field(min_length=1, max_length=32)]
    settings: GrantSettings
    scope: Scope | None = Field(default=None, max_length=100)
    state: Annotated[str, Field(max_length=1000)] | None = None


class GrantUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    settings: dict[str, Any] | None = None
    scope: Scope | None = Field(default=None, max_length=100)

"""Redirect URI request bodies, as the Python SDK's applications.redirect_uris sends them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Platform = Literal["web", "desktop", "js", "ios", "android"]
Short = Annotated[str, Field(min_length=1, max_length=300)]


class RedirectUriSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    origin: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    bundle_id: Short | None = None
    app_store_id: Short | None = None
    team_id: Short | None = None
    package_name: Short | None = None
    sha1_certificate_fingerprint: Short | None = None


class NewRedirectUri(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2048)]
    platform: Platform
    settings: RedirectUriSettings | None = None


class RedirectUriUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2048)] | None = None
    platform: Platform | None = None
    settings: RedirectUriSettings | None = None

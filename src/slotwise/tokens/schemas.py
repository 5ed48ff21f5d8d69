"""The token route's request, as the editor's identity module and OAuth clients send it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Secret = Annotated[str, Field(min_length=1, max_length=512)]


class TokenRequest(BaseModel):
    # Clients add fields of their own (redirect_uri on a refresh, client_secret, scope).
    model_config = ConfigDict(extra="ignore")

    grant_type: Annotated[str, Field(min_length=1, max_length=64)]
    client_id: Annotated[str, Field(min_length=1, max_length=200)]
    code: Secret | None = None
    redirect_uri: Annotated[str, Field(max_length=2048)] | None = None
    # RFC 7636 asks for 43 to 128 characters; the editor's identity module sends a UUID (36).
    code_verifier: Annotated[str, Field(min_length=32, max_length=128)] | None = None
    refresh_token: Secret | None = None

"""Hosted authentication: the application's redirect URIs, sign-in attempts, authorization
codes, refresh tokens and the id_token signing keys. Every code and token is stored as its
SHA-256 digest only (slotwise.tokens.secrets)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class RedirectUri(Base):
    """Where hosted authentication may send a browser back to (exact match), and for a web
    platform the browser origin (`settings.origin`) allowed to call the token routes."""

    __tablename__ = "redirect_uris"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class SignInAttempt(Base):
    """One visit to the sign-in page: the client's request, and while an emailed code is
    pending, its digest, expiry and tries left. The attempt id is a secret of the page."""

    __tablename__ = "sign_in_attempts"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    state: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    code_challenge: Mapped[str] = mapped_column(String(128))
    access_type: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tries_left: Mapped[int] = mapped_column(Integer, default=0)
    code_expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class AuthorizationCode(Base):
    """A code the sign-in page handed to the redirect URI: single use, short-lived, bound to
    the client, the redirect URI and the PKCE challenge (S256)."""

    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str] = mapped_column(String(128))
    access_type: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[int] = mapped_column(BigInteger)


class RefreshToken(Base):
    """A refresh token of one sign-in's family. Using it marks it used and issues the next;
    presenting a used one again revokes the whole family (its access tokens included)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class SigningKey(Base):
    """An RS256 key pair for id_tokens. The private key is sealed with the keyring; the newest
    key signs, and every key not retired is published at /.well-known/jwks.json."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed_private_key: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)
    retired_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

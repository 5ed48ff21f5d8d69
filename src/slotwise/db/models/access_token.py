from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class AccessToken(Base):
    """A grant's access token (v2 `access_tokens`); only the SHA-256 of the token is stored.

    Revoking deletes the row, so a revoked token and one never issued are refused alike; an
    expired one is refused as well.
    """

    __tablename__ = "access_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Hosted authentication's tokens expire and belong to a sign-in's refresh family; tokens
    # issued with the admin API key (v2 pages) have neither.
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    family_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)

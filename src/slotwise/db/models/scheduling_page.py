from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class SchedulingPage(Base):
    """The v2 face of a scheduling configuration (one page = one configuration).

    The configuration holds what the engine and the booking path read (mapped from the page);
    `document` keeps the page's `name`, `slug` and `config` exactly as sent, so the v2 face
    returns them unchanged. Its accounts are `page_accounts` rows.
    """

    __tablename__ = "scheduling_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE"), unique=True
    )
    edit_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class PageAccount(Base):
    """One account (grant) of a page, at its position in the order the accounts were given."""

    __tablename__ = "page_accounts"

    page_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("scheduling_pages.id", ondelete="CASCADE"), primary_key=True
    )
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class PageBooking(Base):
    """A booking made through a page's public routes: its v2 integer id and `edit_hash`.

    The booking itself is an ordinary row of `bookings`; this adds what the v2 wire needs.
    """

    __tablename__ = "page_bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    page_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("scheduling_pages.id", ondelete="CASCADE"), index=True
    )
    edit_hash_digest: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str | None] = mapped_column(String(35), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class PageImage(Base):
    """A page's uploaded image (its logo): announced by upload-image, then PUT with a token."""

    __tablename__ = "page_images"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("scheduling_pages.id", ondelete="CASCADE"), index=True
    )
    upload_token_hash: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    original_filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)

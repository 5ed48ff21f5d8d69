"""All queries about pages, their accounts, bookings and images."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from slotwise.db.models import (
    Booking,
    Calendar,
    Configuration,
    Grant,
    PageAccount,
    PageBooking,
    PageImage,
    SchedulingPage,
)


def find_page(session: Session, page_id: int) -> SchedulingPage | None:
    return session.get(SchedulingPage, page_id)


def page_of_edit_token(session: Session, token_hash: str) -> SchedulingPage | None:
    query = select(SchedulingPage).where(SchedulingPage.edit_token_hash == token_hash)
    return session.scalar(query)


def page_of_configuration(session: Session, configuration_id: str) -> SchedulingPage | None:
    query = select(SchedulingPage).where(SchedulingPage.configuration_id == configuration_id)
    return session.scalar(query)


def page_by_slug(session: Session, slug: str) -> tuple[SchedulingPage, Configuration] | None:
    query = (
        select(SchedulingPage, Configuration)
        .join(Configuration, Configuration.id == SchedulingPage.configuration_id)
        .where(Configuration.slug == slug)
    )
    row = session.execute(query).first()
    return (row[0], row[1]) if row is not None else None


def list_pages(
    session: Session, *, grant_id: str | None, offset: int, limit: int
) -> list[SchedulingPage]:
    """Pages in creation order; with `grant_id`, only the pages that grant is an account of."""
    query = select(SchedulingPage)
    if grant_id is not None:
        query = query.join(PageAccount, PageAccount.page_id == SchedulingPage.id).where(
            PageAccount.grant_id == grant_id
        )
    query = query.order_by(SchedulingPage.id).offset(offset).limit(limit)
    return list(session.scalars(query))


def account_grant_ids(session: Session, page_id: int) -> list[str]:
    query = (
        select(PageAccount.grant_id)
        .where(PageAccount.page_id == page_id)
        .order_by(PageAccount.position)
    )
    return list(session.scalars(query))


def replace_accounts(session: Session, page_id: int, grant_ids: list[str]) -> None:
    session.execute(delete(PageAccount).where(PageAccount.page_id == page_id))
    for position, grant_id in enumerate(grant_ids):
        session.add(PageAccount(page_id=page_id, grant_id=grant_id, position=position))
    session.flush()


def grants_with_calendars(
    session: Session, grant_ids: list[str]
) -> dict[str, tuple[Grant, list[Calendar]]]:
    """Grants by id with all their calendars, in one query."""
    if not grant_ids:
        return {}
    query = (
        select(Grant, Calendar)
        .outerjoin(Calendar, Calendar.grant_id == Grant.id)
        .where(Grant.id.in_(sorted(set(grant_ids))))
        .order_by(Calendar.created_at, Calendar.id)
    )
    out: dict[str, tuple[Grant, list[Calendar]]] = {}
    for grant, calendar in session.execute(query):
        entry = out.setdefault(grant.id, (grant, []))
        if calendar is not None:
            entry[1].append(calendar)
    return out


def booking_of_edit_hash(session: Session, page_id: int, digest: str) -> PageBooking | None:
    query = select(PageBooking).where(
        PageBooking.edit_hash_digest == digest, PageBooking.page_id == page_id
    )
    return session.scalar(query)


def find_image(session: Session, image_id: str) -> PageImage | None:
    return session.get(PageImage, image_id)


def upcoming_bookings(
    session: Session, configuration_id: str, now: int, limit: int
) -> list[Booking]:
    """Booked and pending bookings of the configuration that have not ended, soonest first."""
    query = (
        select(Booking)
        .where(
            Booking.configuration_id == configuration_id,
            Booking.status.in_(["booked", "pending"]),
            Booking.end_ts > now,
        )
        .order_by(Booking.start_ts, Booking.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def images_of_page(session: Session, page_id: int) -> list[PageImage]:
    """A page's images, oldest first."""
    query = select(PageImage).where(PageImage.page_id == page_id)
    return list(session.scalars(query.order_by(PageImage.created_at, PageImage.id)))


def delete_images(session: Session, image_ids: list[str]) -> None:
    if image_ids:
        session.execute(delete(PageImage).where(PageImage.id.in_(image_ids)))

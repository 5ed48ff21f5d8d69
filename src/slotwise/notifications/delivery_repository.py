"""The queries of claiming and recording deliveries (notifications.delivery)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session, defer

from slotwise.db.models import Delivery, DeliveryAttempt, WebhookDestination


def due_page(
    session: Session,
    now_ms: int,
    *,
    skip_destinations: Sequence[str],
    skip_email: bool,
    after: tuple[str, str] | None,
    limit: int,
    skip_locked: bool,
) -> list[tuple[Delivery, str]]:
    """One page of due, unleased deliveries to destinations that take attempts, in sequence
    order after `after` (sequence, id), each with its destination's status ("active" for
    email); with `skip_locked` (PostgreSQL) rows another claimer holds are passed over."""
    statement = (
        select(Delivery, WebhookDestination.status)
        .options(defer(Delivery.message))  # read for the emails claimed only
        .outerjoin(WebhookDestination, Delivery.destination_id == WebhookDestination.id)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_ms <= now_ms,
            or_(Delivery.claimed_until_ms.is_(None), Delivery.claimed_until_ms < now_ms),
            or_(Delivery.kind != "webhook", WebhookDestination.status.in_(("active", "failing"))),
        )
        .order_by(Delivery.sequence, Delivery.id)
    )
    # Targets the claimer already keeps busy are left out here, not after the LIMIT: a
    # destination with a long backlog would otherwise fill every batch and starve the rest.
    if skip_destinations:
        statement = statement.where(
            or_(
                Delivery.destination_id.is_(None),
                Delivery.destination_id.not_in(sorted(skip_destinations)),
            )
        )
    if skip_email:
        statement = statement.where(Delivery.kind != "email")
    if after is not None:
        statement = statement.where(
            or_(
                Delivery.sequence > after[0],
                and_(Delivery.sequence == after[0], Delivery.id > after[1]),
            )
        )
    statement = statement.limit(limit)
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True, of=Delivery)
    return [(d, status or "active") for d, status in session.execute(statement).all()]


def first_pending_sequences(
    session: Session, order_keys: Sequence[str]
) -> dict[tuple[str, str | None, str], str]:
    """The smallest pending sequence per (kind, destination, order key) of these keys.

    One grouped query for the whole batch. (A correlated NOT EXISTS per candidate, as this
    was first written, is planned as a scan of every pending row per candidate whenever the
    statistics say few rows are pending: 2.7 s per claim with 1,000 pending. A backlog then
    made claims slower, which grew the backlog.)
    """
    statement = (
        select(
            Delivery.kind, Delivery.destination_id, Delivery.order_key, func.min(Delivery.sequence)
        )
        .where(Delivery.status == "pending", Delivery.order_key.in_(sorted(order_keys)))
        .group_by(Delivery.kind, Delivery.destination_id, Delivery.order_key)
    )
    return {(k, d, o): seq for k, d, o, seq in session.execute(statement)}


def email_messages(session: Session, delivery_ids: Sequence[str]) -> dict[str, Any]:
    """The stored messages of these email deliveries (deferred when the rows were claimed)."""
    if not delivery_ids:
        return {}
    query = select(Delivery.id, Delivery.message).where(Delivery.id.in_(sorted(delivery_ids)))
    return {i: m for i, m in session.execute(query).all()}


def rows_by_id(session: Session, model: Any, ids: set[str | None]) -> dict[Any, Any]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def deliveries_to_record(
    session: Session, delivery_ids: Sequence[str], *, lock: bool
) -> dict[str, Delivery]:
    """These deliveries, locked in id order with `lock` (so two recorders cannot deadlock)."""
    query = (
        select(Delivery)
        .options(defer(Delivery.message))
        .where(Delivery.id.in_(sorted(delivery_ids)))
        .order_by(Delivery.id)
    )
    if lock:
        query = query.with_for_update()
    return {d.id: d for d in session.scalars(query)}


def add_attempts(session: Session, attempts: list[dict[str, Any]]) -> None:
    """Insert attempt rows in one statement."""
    if attempts:
        session.execute(insert(DeliveryAttempt), attempts)


def destination_to_judge(
    session: Session, destination_id: str, *, lock: bool
) -> WebhookDestination | None:
    query = select(WebhookDestination).where(WebhookDestination.id == destination_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def release_claim(session: Session, delivery_id: str, token: str) -> None:
    """Due again at once, its attempt number unused, if the claim is still `token`'s."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claim_token == token)
        .values(claim_token=None, claimed_until_ms=None, attempts=Delivery.attempts - 1)
    )


def claim_batch(
    session: Session, delivery_ids: Sequence[str], *, claimed_until_ms: int, token: str
) -> None:
    """Claim these (already locked) deliveries for one worker in one statement: the next
    attempt number, the lease and the batch's token."""
    if not delivery_ids:
        return
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(delivery_ids)))
        .values(
            attempts=Delivery.attempts + 1,
            claimed_until_ms=claimed_until_ms,
            claim_token=token,
        )
        .execution_options(synchronize_session=False)
    )


def delivery_rows_to_record(
    session: Session, delivery_ids: Sequence[str], *, lock: bool
) -> dict[str, Any]:
    """The columns recording results needs (plain rows, no ORM objects), locked in id order
    with `lock` (so two recorders cannot deadlock)."""
    query = (
        select(Delivery.id, Delivery.claim_token, Delivery.attempts, Delivery.kind)
        .add_columns(Delivery.destination_id)
        .where(Delivery.id.in_(sorted(delivery_ids)))
        .order_by(Delivery.id)
    )
    if lock:
        query = query.with_for_update()
    return {row.id: row for row in session.execute(query)}


_RELEASED = {"claim_token": None, "claimed_until_ms": None}


def mark_delivered(session: Session, delivery_ids: Sequence[str], now: int) -> None:
    """These deliveries succeeded: one statement for the batch."""
    if not delivery_ids:
        return
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(delivery_ids)))
        .values(status="delivered", finished_at=now, **_RELEASED)
        .execution_options(synchronize_session=False)
    )


def settle_failed(session: Session, changes: list[dict[str, Any]]) -> None:
    """Failed attempts: each row's own change (failed for good, or its next attempt time)."""
    for change in changes:
        values = {k: v for k, v in change.items() if k != "id"}
        session.execute(
            update(Delivery)
            .where(Delivery.id == change["id"])
            .values(**values, **_RELEASED)
            .execution_options(synchronize_session=False)
        )

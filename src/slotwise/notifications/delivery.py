"""Claiming due deliveries, making one attempt each, and recording what happened.

A claim is a short transaction: it picks a batch of due deliveries (`FOR UPDATE SKIP LOCKED`
on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serializes claimers), gives each the next attempt
number and a lease (`claimed_until_ms`, `claim_token`), and commits. The attempts run outside
any transaction (notifications.sending). Their results are recorded in batches, each in one
short transaction, and change a delivery only if its claim is still ours. So an attempt
number is used by exactly one worker, and a worker killed mid-attempt only delays the
delivery until its lease expires.

Order: a delivery is claimable only when no earlier delivery (smaller `sequence`) of the same
object (`order_key`) to the same target is still pending. A notification that waits for a
retry therefore holds back the later notifications about the same booking (or event, ...) for
that destination; notifications about other objects flow past it.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session

from slotwise import clock, keyring
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, OutboxMessage, WebhookDestination
from slotwise.errors import NotFound
from slotwise.ids import new_id
from slotwise.notifications import breaker, email
from slotwise.notifications import delivery_repository as repository
from slotwise.webhooks import sender

log = logging.getLogger("slotwise.worker")

_PAGES = 8  # pages of due rows one claim looks through at most

EMAIL_TARGET = "smtp"  # every email goes through the one SMTP relay: one target


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    kind: str
    attempt: int
    token: str
    destination_id: str | None = None
    url: str = ""
    secret: str = ""
    compressed: bool = False
    notification: sender.Notification | None = None
    message: dict[str, Any] | None = None
    destination_status: str = "active"
    # Why no request can be signed for this claim (its destination's secret cannot be opened
    # with the configured keys); the attempt then fails with this error, without sending.
    unsendable: str | None = None

    @property
    def target(self) -> str:
        """Who receives it: the destination, or the SMTP relay (the unit of isolation)."""
        return self.destination_id or EMAIL_TARGET


def target_limit(policy: DeliveryPolicy, destination_status: str) -> int:
    """Attempts one worker may have in flight to one target at once.

    A destination the breaker marked failing gets one at a time: while it times out, it
    holds one sending thread, not its whole share.
    """
    return 1 if destination_status == "failing" else policy.destination_concurrency


def hold_limit(policy: DeliveryPolicy, destination_status: str) -> int:
    """Claims one worker may hold for one target: those being sent plus those claimed ahead
    (`policy.prefetch` times the sending limit)."""
    return target_limit(policy, destination_status) * policy.prefetch


def _first_in_line(
    session: Session, rows: list[tuple[Delivery, str]]
) -> list[tuple[Delivery, str]]:
    """The rows with no earlier pending delivery of the same object to the same target."""
    if not rows:
        return []
    first = repository.first_pending_sequences(session, list({d.order_key for d, _ in rows}))
    return [
        (d, status)
        for d, status in rows
        if d.sequence <= first.get((d.kind, d.destination_id, d.order_key), d.sequence)
    ]


def claim_due(
    db: Database,
    policy: DeliveryPolicy,
    *,
    limit: int | None = None,
    in_flight: Mapping[str, int] | None = None,
    full: Collection[str] = (),
) -> list[Claim]:
    """Claim due deliveries: at most `limit` (default: a batch), and per target no more than
    its `hold_limit` minus what this worker holds `in_flight` for it; `full` targets are
    skipped.

    Rows read but left unclaimed (their target has no room) are not changed, so they stay
    due for the next claim.
    """
    now_ms = clock.now_ms()
    room = min(limit or policy.batch_size, policy.batch_size)
    busy = dict(in_flight or {})
    claims: list[Claim] = []
    with db.session() as session:
        chosen: list[tuple[Delivery, str]] = []
        skip = set(full)
        after: tuple[str, str] | None = None
        # Rows a claim cannot take (their target just got full, or an earlier delivery of
        # their object is pending) must not hide the due rows behind them: a destination
        # with a long backlog sorts first. So a claim pages on, leaving full targets out of
        # the next page, a bounded number of times (what is left is seen by the next claim).
        for _page in range(_PAGES):
            page = min(policy.batch_size, max(2 * (room - len(chosen)), 20))
            due = repository.due_page(
                session,
                now_ms,
                skip_destinations=[t for t in skip if t != EMAIL_TARGET],
                skip_email=EMAIL_TARGET in skip,
                after=after,
                limit=page,
                skip_locked=not db.is_sqlite,
            )
            for delivery, status in _first_in_line(session, due):
                target = delivery.destination_id or EMAIL_TARGET
                if len(chosen) >= room or busy.get(target, 0) >= hold_limit(policy, status):
                    skip.add(target)
                    continue
                busy[target] = busy.get(target, 0) + 1
                chosen.append((delivery, status))
            if len(chosen) >= room or len(due) < page:
                break
            after = (due[-1][0].sequence, due[-1][0].id)
        expired = [
            {
                "id": new_id(),
                "delivery_id": delivery.id,
                "destination_id": delivery.destination_id,
                "attempt": delivery.attempts,
                "started_ms": delivery.claimed_until_ms,
                "duration_ms": 0,
                "success": False,
                "error": "no result: the worker's claim expired",
            }
            # The previous claimer never reported back (it died or lost its lease).
            for delivery, _status in chosen
            if delivery.claimed_until_ms is not None
        ]
        repository.add_attempts(session, expired)
        # One statement for the whole batch, and one token: the batch is this worker's. The
        # rows are locked (FOR UPDATE on PostgreSQL, the write lock on SQLite), so the
        # attempt numbers computed from what was read are the ones stored.
        token = secrets.token_hex(8)
        repository.claim_batch(
            session,
            [d.id for d, _ in chosen],
            claimed_until_ms=now_ms + int(policy.lease_seconds * 1000),
            token=token,
        )
        claims = _snapshots(session, chosen, token)
    return claims


def _snapshots(session: Session, chosen: list[tuple[Delivery, str]], token: str) -> list[Claim]:
    """What each attempt needs, read in two queries for the whole batch (not two per row).

    `chosen` holds the rows as read, before the claim's update: each attempt is the next."""
    webhook_rows = [d for d, _ in chosen if d.kind == "webhook"]
    destination_ids = {d.destination_id for d in webhook_rows}
    destinations = repository.rows_by_id(session, WebhookDestination, destination_ids)
    outbox = repository.rows_by_id(session, OutboxMessage, {d.outbox_id for d in webhook_rows})
    email_ids = [d.id for d, _ in chosen if d.kind != "webhook"]
    messages = repository.email_messages(session, email_ids)
    secrets_of = {d.id: _open_secret(d) for d in destinations.values()}
    claims = []
    for delivery, status in chosen:
        if delivery.kind != "webhook":
            claims.append(
                Claim(
                    delivery.id,
                    delivery.kind,
                    delivery.attempts + 1,
                    token,
                    message=messages.get(delivery.id),
                )
            )
            continue
        destination = destinations[delivery.destination_id]
        message = outbox[delivery.outbox_id]
        claims.append(
            Claim(
                delivery.id,
                delivery.kind,
                delivery.attempts + 1,
                token,
                destination_id=destination.id,
                url=destination.webhook_url,
                secret=secrets_of[destination.id] or "",
                unsendable=None if secrets_of[destination.id] is not None else _UNOPENABLE,
                compressed=bool(destination.compressed_delivery),
                notification=sender.Notification(
                    id=message.id,
                    trigger=message.trigger,
                    source=message.source,
                    created_at=message.created_at,
                    payload=message.payload,
                ),
                destination_status=status,
            )
        )
    return claims


_UNOPENABLE = (
    "not sent: the webhook secret cannot be opened with the configured SLOTWISE_SECRET_KEY "
    "(a key it was sealed with is missing)"
)


def _open_secret(destination: WebhookDestination) -> str | None:
    """The destination's signing secret, or None when no configured key opens it.

    One such destination (a key dropped before its secrets were re-sealed) must not stop the
    claim: raising here rolled back every claim, so no delivery to any destination, nor any
    email, was attempted again, and the worker logged the same error on every pass.
    """
    try:
        return keyring.unseal(destination.sealed_secret)
    except keyring.SecretKeyError:
        log.error(
            "webhook %s: its secret cannot be opened with the configured SLOTWISE_SECRET_KEY",
            destination.id,
        )
        return None


def attempt(
    claim: Claim,
    settings: Settings,
    policy: DeliveryPolicy,
    client: httpx.Client | None = None,
) -> sender.AttemptResult:
    """One attempt; never raises. A row no request or message can be built from is a
    permanent failure with its error, so it cannot stop the deliveries after it."""
    started = clock.now_ms()
    if claim.unsendable is not None:
        # Not permanent: once the operator configures the key again, the retry goes out.
        return sender.AttemptResult(
            success=False, started_ms=started, duration_ms=0, error=claim.unsendable
        )
    try:
        if claim.kind == "webhook":
            assert claim.notification is not None
            return sender.post(
                claim.url,
                claim.secret,
                claim.notification,
                claim.attempt,
                application_id=settings.application_id,
                compressed=claim.compressed,
                timeout=policy.request_timeout_seconds,
                body_limit=policy.response_body_limit,
                client=client,
            )
        if not isinstance(claim.message, dict) or not isinstance(claim.message.get("raw"), str):
            raise ValueError("the stored email has no message to send")
        return email.send(settings, claim.message, timeout=policy.request_timeout_seconds)
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the worker
        log.warning("delivery %s could not be attempted: %r", claim.delivery_id, exc)
        return sender.AttemptResult(
            success=False,
            started_ms=started,
            duration_ms=max(0, clock.now_ms() - started),
            error=f"could not be sent: {type(exc).__name__}: {exc}"[: policy.response_body_limit],
            permanent=True,
        )


def record_results(
    db: Database,
    results: Sequence[tuple[Claim, sender.AttemptResult]],
    settings: Settings,
    policy: DeliveryPolicy,
) -> int:
    """Record a batch of finished attempts in one transaction; returns how many.

    Each delivery changes only if its claim is still ours (else the lease expired and another
    worker owns it; the attempt is still logged). Rows are locked in id order, so two workers
    recording at once cannot deadlock. The common case costs a fixed number of statements per
    batch: the rows read, the attempts inserted, and one update for all the deliveries that
    succeeded; only failures are updated one by one (each has its own retry time). The
    breaker then judges each destination once, by its last attempt of the batch.
    """
    if not results:
        return 0
    now, now_ms = clock.now(), clock.now_ms()
    with db.session() as session:
        ids = sorted({claim.delivery_id for claim, _ in results})
        rows = repository.delivery_rows_to_record(session, ids, lock=not db.is_sqlite)
        attempts: list[dict[str, Any]] = []
        delivered: list[str] = []
        failed: list[dict[str, Any]] = []
        judged: dict[str, bool] = {}
        for claim, result in results:
            row = rows.get(claim.delivery_id)
            if row is None:  # its destination was deleted meanwhile
                continue
            attempts.append(
                {
                    "id": new_id(),
                    "delivery_id": row.id,
                    "destination_id": row.destination_id,
                    "attempt": claim.attempt,
                    "started_ms": result.started_ms,
                    "duration_ms": result.duration_ms,
                    "success": result.success,
                    "status_code": result.status_code,
                    "response_body": result.response_body,
                    "error": result.error,
                }
            )
            if row.claim_token != claim.token:
                continue  # the lease expired and another worker owns the delivery now
            if result.success:
                delivered.append(row.id)
            elif result.permanent or row.attempts >= policy.max_attempts:
                failed.append({"id": row.id, "status": "failed", "finished_at": now})
            else:
                delay = policy.backoff_seconds(row.attempts, random.random())
                failed.append({"id": row.id, "next_attempt_ms": now_ms + int(delay * 1000)})
            if row.kind == "webhook" and row.destination_id:
                judged[row.destination_id] = result.success
        repository.add_attempts(session, attempts)
        repository.mark_delivered(session, delivered, now)
        repository.settle_failed(session, failed)
        for destination_id in sorted(judged):
            destination = repository.destination_to_judge(
                session, destination_id, lock=not db.is_sqlite
            )
            if destination is not None:
                breaker.after_attempt(
                    session, destination, judged[destination_id], policy, settings
                )
    return len(attempts)


def release(db: Database, claims: Sequence[Claim]) -> None:
    """Give back claims that were never attempted (a worker stopping with claims held ahead):
    due again at once, with their attempt number unused, instead of waiting for the lease."""
    if not claims:
        return
    with db.session() as session:
        for claim in sorted(claims, key=lambda c: c.delivery_id):
            repository.release_claim(session, claim.delivery_id, claim.token)


def record_unbuildable(
    session: Session,
    *,
    outbox_id: str | None,
    trigger: str,
    order_key: str,
    sequence: str,
    error: Exception,
) -> Delivery:
    """A delivery that failed before it could be made (its email could not be composed from
    the stored row), kept as failed with its error so the operator sees it and the rest of
    the batch goes on."""
    now, now_ms = clock.now(), clock.now_ms()
    failed = Delivery(
        id=new_id(),
        kind="email",
        outbox_id=outbox_id,
        destination_id=None,
        trigger=trigger,
        order_key=order_key,
        sequence=sequence,
        message=None,
        status="failed",
        attempts=1,
        next_attempt_ms=now_ms,
        created_at=now,
        finished_at=now,
    )
    session.add(failed)
    session.add(
        DeliveryAttempt(
            id=new_id(),
            delivery_id=failed.id,
            destination_id=None,
            attempt=1,
            started_ms=now_ms,
            duration_ms=0,
            success=False,
            error=f"could not be built: {type(error).__name__}: {error}"[:2000],
        )
    )
    log.warning("%s notification %s: email could not be built: %r", trigger, outbox_id, error)
    return failed


def redeliver(session: Session, destination_id: str, delivery_id: str) -> Delivery:
    """Send a delivery again now (operator action); its attempt numbers keep counting up."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.destination_id != destination_id:
        raise NotFound(f"delivery {delivery_id!r} not found for webhook {destination_id!r}")
    delivery.status = "pending"
    delivery.finished_at = None
    delivery.next_attempt_ms = clock.now_ms()
    session.flush()
    return delivery


def delivery_to_wire(delivery: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "notification_id": delivery.outbox_id,
        "trigger": delivery.trigger,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_ms // 1000
        if delivery.status == "pending"
        else None,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
        "attempt_log": [
            {
                "attempt": a.attempt,
                "started_at": a.started_ms // 1000,
                "duration_ms": a.duration_ms,
                "success": a.success,
                "status_code": a.status_code,
                "response_body": a.response_body,
                "error": a.error,
            }
            for a in attempts
        ],
    }

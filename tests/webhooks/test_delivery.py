"""Outbox → deliveries → signed POSTs to a real receiver; retries, order, breaker, operator."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from slotwise import clock
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, WebhookDestination
from slotwise.notifications import delivery, record
from slotwise.webhooks import sender
from tests.conftest import LOOPBACK
from tests.support.delivery import FAST, subscribe
from tests.webhooks.receiver import Receiver


def booking(booking_id: str, **info: object) -> dict:
    return {
        "booking_id": booking_id,
        "configuration_id": "c0",
        "object": "booking",
        "booking_info": {"start_time": 1, "end_time": 2, **info},
    }


def test_signed_envelope(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    with db.session() as session:
        message = record(session, "booking.created", booking("b1", title="Intro"))
        record(session, "event.created", {"id": "e1"})  # nobody subscribed
    run_worker(lambda: len(receiver.received) >= 1)
    [got] = receiver.received
    assert got.body == {
        "specversion": "1.0",
        "type": "booking.created",
        "source": "/nylas/passthru",
        "id": message.id,
        "time": message.created_at,
        "webhook_delivery_attempt": 1,
        "data": {"application_id": "slotwise", "object": booking("b1", title="Intro")},
    }
    assert receiver.bad_signatures == 0


def test_compressed_delivery_signs_the_gzip_bytes(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver, compressed_delivery=True)
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    run_worker(lambda: len(receiver.received) >= 1)
    assert receiver.received[0].compressed
    assert receiver.bad_signatures == 0


def test_rolled_back_change_sends_nothing(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    with pytest.raises(RuntimeError), db.session() as session:
        record(session, "booking.created", booking("lost"))
        raise RuntimeError("the change fails")
    with db.session() as session:
        record(session, "booking.created", booking("kept"))
    # Once every delivery has finished, whatever was to be sent has been.
    run_worker(lambda: len(receiver.received) >= 1 and nothing_pending(db))
    assert [r.object["booking_id"] for r in receiver.received] == ["kept"]


def nothing_pending(db: Database) -> bool:
    with db.session(write=False) as session:
        pending = session.scalars(select(Delivery).where(Delivery.status == "pending")).all()
    return pending == []


def test_retries_keep_the_id_and_count_attempts(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    receiver.mode = "error"
    with db.session() as session:
        message = record(session, "booking.created", booking("b1"))
    run_worker(lambda: receiver.failed_posts >= 3)
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) >= 1)
    [got] = receiver.received
    assert got.id == message.id
    assert got.attempt == receiver.failed_posts + 1
    with db.session(write=False) as session:
        attempts = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.attempt)).all()
    assert [a.attempt for a in attempts] == list(range(1, got.attempt + 1))
    assert [a.status_code for a in attempts] == [500] * (got.attempt - 1) + [200]
    assert attempts[0].response_body == "ok" and attempts[0].error == "HTTP 500"


def test_gives_up_after_max_attempts(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    receiver.mode = "error"
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    policy = dataclasses.replace(FAST, max_attempts=3)

    def given_up() -> bool:
        with db.session(write=False) as session:
            return session.scalar(select(Delivery.status)) == "failed"

    run_worker(given_up, policy=policy)
    assert receiver.failed_posts == 3


def test_order_per_booking_survives_failures(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    receiver.mode = "error"
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    with db.session() as session:
        record(session, "booking.cancelled", booking("b1"))
        record(session, "booking.created", booking("b2"))
    run_worker(lambda: receiver.failed_posts >= 4)
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) >= 3)
    b1 = [r.type for r in receiver.received if r.object["booking_id"] == "b1"]
    assert b1 == ["booking.created", "booking.cancelled"]


def test_rotated_secret_signs_the_next_attempt(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = subscribe(api, receiver)
    rotated = api.post(f"/v3/webhooks/rotate-secret/{created['id']}").json()["data"]
    receiver.secret = rotated["webhook_secret"]
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    run_worker(lambda: len(receiver.received) >= 1)
    assert receiver.bad_signatures == 0


def test_paused_destination_gets_nothing_new(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = subscribe(api, receiver)
    api.put(f"/v3/webhooks/{created['id']}", json={"status": "pause"})
    with db.session() as session:
        message = record(session, "booking.created", booking("b1"))

    def dispatched() -> bool:
        with db.session(write=False) as session:
            return session.get(type(message), message.id).dispatched_at is not None  # type: ignore[union-attr]

    run_worker(dispatched)
    with db.session(write=False) as session:
        assert session.scalars(select(Delivery)).all() == []


def test_breaker_failing_then_failed(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    run_worker: Callable[..., None],
) -> None:
    created = subscribe(api, receiver)
    receiver.mode = "error"
    policy = dataclasses.replace(
        FAST, failing_after_seconds=0.5, failed_after_seconds=1.5, max_attempts=1000
    )
    with db.session() as session:
        record(session, "booking.created", booking("b1"))

    def status() -> str:
        with db.session(write=False) as session:
            return str(session.get(WebhookDestination, created["id"]).status)  # type: ignore[union-attr]

    run_worker(lambda: status() == "failing", policy=policy)
    assert api.get(f"/v3/webhooks/{created['id']}").json()["data"]["status"] == "failing"
    run_worker(lambda: status() == "failed", policy=policy)
    posts = receiver.failed_posts
    # A failed destination gets no further attempts.
    run_passes(db, policy)
    assert receiver.failed_posts == posts
    # Re-activating (re-verified) resumes delivery of what was pending.
    receiver.mode = "ok"
    assert api.put(f"/v3/webhooks/{created['id']}", json={"status": "active"}).status_code == 200
    run_worker(lambda: len(receiver.received) >= 1, policy=policy)


def run_passes(db: Database, policy: DeliveryPolicy) -> None:
    from slotwise.worker import Worker

    settings = Settings(database_url=db.url, run_worker=False, outbound_allow=LOOPBACK)
    # Each pass runs an hour later than the last, so any retry would be due by then.
    clock.freeze(clock.now())
    try:
        with Worker(db, settings, policy) as worker:
            for _ in range(5):
                clock.advance(3600)
                worker.run_once()
    finally:
        clock.freeze(None)


def test_failing_destination_recovers(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = subscribe(api, receiver)
    receiver.mode = "error"
    policy = dataclasses.replace(FAST, failing_after_seconds=0.3, max_attempts=1000)
    with db.session() as session:
        record(session, "booking.created", booking("b1"))

    def status() -> str:
        with db.session(write=False) as session:
            return str(session.get(WebhookDestination, created["id"]).status)  # type: ignore[union-attr]

    run_worker(lambda: status() == "failing", policy=policy)
    receiver.mode = "ok"
    for n in range(2, 40):
        if status() == "active":
            break
        with db.session() as session:
            record(session, "booking.created", booking(f"b{n}"))
        run_worker(lambda: len(receiver.received) >= 1, policy=policy)
    assert status() == "active"


def test_operator_lists_and_redelivers(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = subscribe(api, receiver)
    with db.session() as session:
        message = record(session, "booking.created", booking("b1"))
    run_worker(lambda: len(receiver.received) >= 1)
    listed = api.get(f"/v3/webhooks/{created['id']}/deliveries").json()["data"]
    [item] = listed
    assert item["notification_id"] == message.id and item["status"] == "delivered"
    assert item["attempt_log"][0]["status_code"] == 200
    again = api.post(f"/v3/webhooks/{created['id']}/deliveries/{item['id']}/redeliver")
    assert again.status_code == 200 and again.json()["data"]["status"] == "pending"
    run_worker(lambda: len(receiver.received) >= 2)
    assert [(r.id, r.attempt) for r in receiver.received] == [(message.id, 1), (message.id, 2)]
    missing = api.post(f"/v3/webhooks/{created['id']}/deliveries/nope/redeliver")
    assert missing.status_code == 404


def test_expired_lease_moves_to_the_next_attempt(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    run_worker: Callable[..., None],
    frozen_clock: int,
) -> None:
    subscribe(api, receiver)
    with db.session() as session:
        message = record(session, "booking.created", booking("b1"))
    policy = dataclasses.replace(FAST, lease_seconds=0.3)
    from slotwise.notifications import dispatch

    dispatch.dispatch_outbox(db, Settings(), policy)
    [claim] = delivery.claim_due(db, policy)  # a worker that then dies silently
    assert claim.attempt == 1
    assert delivery.claim_due(db, policy) == []  # claimed: nobody else takes it
    clock.advance(0.4)  # past the dead worker's lease
    run_worker(lambda: len(receiver.received) >= 1, policy=policy)
    assert [(r.id, r.attempt) for r in receiver.received] == [(message.id, 2)]
    with db.session(write=False) as session:
        errors = [a.error for a in session.scalars(select(DeliveryAttempt))]
    assert "no result: the worker's claim expired" in errors


def test_oversized_payload_is_sent_whole_without_truncated_variant() -> None:
    big = sender.Notification("n1", "booking.created", "/s", 1, {"x": "a" * 1_100_000})
    body = sender.envelope(big, 1, "app")
    assert b'"type":"booking.created"' in body and len(body) > 1_048_576
    huge = sender.Notification("n2", "message.created", "/s", 1, {"body": "a" * 1_100_000})
    small = sender.envelope(huge, 1, "app")
    assert b'"type":"message.created.truncated"' in small and len(small) < 1000
    assert gzip.decompress(gzip.compress(small)) == small

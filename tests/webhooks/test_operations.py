"""Operating the worker at scale: isolation between destinations, a bad row amid good ones,
retention, the metrics queries, and the replay-proof signature."""

from __future__ import annotations

import dataclasses
import re
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, OutboxMessage, WebhookDestination
from slotwise.notifications import dispatch, record, retention
from slotwise.notifications import stats_repository as stats
from slotwise.providers import policy as provider_policy
from slotwise.worker import Worker
from tests.notifications.smtp import SmtpServer
from tests.support.feeds import Feed
from tests.support.waiting import wait_until
from tests.webhooks.conftest import FAST, ThreadedWorker
from tests.webhooks.receiver import Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
DAY = 86400


def subscribe(api: httpx.Client, receiver: Receiver, triggers: list[str] | None = None) -> str:
    response = api.post(
        "/v3/webhooks",
        json={"trigger_types": triggers or ["booking.created"], "webhook_url": receiver.url},
    )
    assert response.status_code == 200, response.text
    receiver.secret = response.json()["data"]["webhook_secret"]
    return str(response.json()["data"]["id"])


def booking(booking_id: str, **info: Any) -> dict[str, Any]:
    return {
        "booking_id": booking_id,
        "configuration_id": "c0",
        "object": "booking",
        "booking_info": {"start_time": 1, "end_time": 2, **info},
    }


@pytest.fixture
def three_receivers() -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    hanging, failing, healthy = Receiver().start(), Receiver().start(), Receiver().start()
    yield hanging, failing, healthy
    for r in (hanging, failing, healthy):
        r.stop()


@pytest.mark.slow
def test_a_hanging_and_a_failing_destination_do_not_delay_a_healthy_one(
    api: httpx.Client,
    db: Database,
    settings: Settings,
    three_receivers: tuple[Receiver, Receiver, Receiver],
) -> None:
    """With one destination hanging on every POST (until the test ends; each attempt gives up
    at the worker's timeout) and one answering 500, every notification reaches the healthy
    destination while the hanging one still holds attempts. Nothing here is timed: were the
    healthy deliveries queued behind the hanging ones, they would not arrive. The commit-to-
    receipt lag is printed (`-s`) for the record; bounds on it belong to bench/."""
    hanging, failing, healthy = three_receivers
    names = ("hanging", "failing", "healthy")
    ids = {name: subscribe(api, r) for name, r in zip(names, three_receivers, strict=True)}
    hanging.mode = "hang"
    failing.mode = "error"
    policy = dataclasses.replace(
        FAST,
        request_timeout_seconds=6,  # each attempt to `hanging` holds its thread for 6 s
        lease_seconds=30,
        max_attempts=1000,
        destination_concurrency=4,
        concurrency=12,
        # Above the timeout: the breaker's window counts attempts by their start.
        failing_after_seconds=8,
    )
    committed: dict[str, float] = {}
    with ThreadedWorker(db, settings, policy):
        for n in range(8):  # enough to keep `hanging`'s whole share stuck
            with db.session() as session:
                record(session, "booking.created", booking(f"warm{n}"))
        wait_until(lambda: hanging.in_flight >= 1, "an attempt hanging")
        for n in range(80):
            with db.session() as session:
                message = record(session, "booking.created", booking(f"b{n}"))
            committed[message.id] = time.monotonic()
        wait_until(lambda: {r.id for r in healthy.received} >= set(committed), "every healthy POST")
        # Hanging attempts timed out meanwhile, so the breaker has marked it failing.
        wait_until(lambda: status(db, ids["hanging"]) == "failing", "the breaker")
    lags = sorted(r.at - committed[r.id] for r in healthy.received if r.id in committed)
    p99 = statistics.quantiles(lags, n=100)[98]
    print(f"healthy destination: p50 {statistics.median(lags):.3f} s, p99 {p99:.3f} s")
    assert len(lags) == 80
    assert hanging.in_flight >= 1 and failing.failed_posts > 0
    assert status(db, ids["healthy"]) == "active"


def test_a_hanging_calendar_feed_does_not_delay_a_webhook(
    api: httpx.Client, db: Database, settings: Settings
) -> None:
    """Provider sync runs beside the deliveries, not in their pass: while the worker's sync
    of a feed hangs (its timeout far beyond this test's wait), a notification is delivered."""
    feed, receiver = Feed().start(), Receiver().start()
    try:
        feed.body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nEND:VCALENDAR\r\n"
        connected = api.post(
            "/v3/connect/custom",
            json={"provider": "ics", "settings": {"email": "feed@example.com", "url": feed.url}},
        )
        assert connected.status_code == 200, connected.text
        subscribe(api, receiver)
        feed.hold()
        # Every calendar is stale at once, and a sync may wait a minute for the feed.
        slow = dataclasses.replace(settings, provider_sync_seconds=0, provider_timeout_seconds=120)
        with ThreadedWorker(db, slow, FAST):
            feed.wait_for_waiting(1)
            with db.session() as session:
                message = record(session, "booking.created", booking("during-sync"))
            wait_until(lambda: message.id in {r.id for r in receiver.received}, "the delivery")
            assert feed.waiting == 1  # the sync was still hanging when it arrived
            feed.release()
    finally:
        feed.stop()
        receiver.stop()
        provider_policy.configure(settings.provider_sync_seconds, settings.provider_timeout_seconds)


def status(db: Database, destination_id: str) -> str:
    with db.session(write=False) as session:
        destination = session.get(WebhookDestination, destination_id)
        return destination.status if destination is not None else "gone"


def test_a_row_whose_email_cannot_be_built_fails_alone(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    """A stored booking whose guest name would inject a header (written straight to the
    outbox, as if input validation had let it through): its emails become a failed delivery
    with the error, and its webhook, the rows around it and their emails all go out."""
    smtp = SmtpServer().start()
    try:
        mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
        subscribe(api, receiver)

        def info(guest: str) -> dict[str, Any]:
            return {
                "title": "Intro",
                "start_time": 1_900_000_000,
                "end_time": 1_900_001_800,
                "organizer_email": "host@example.com",
                "guest_email": "guest@example.com",
                "participants": [
                    {"email": "host@example.com", "name": "Host"},
                    {"email": "guest@example.com", "name": guest},
                ],
            }

        with db.session() as session:
            good_before = record(session, "booking.created", booking("good1", **info("Ann")))
        with db.session() as session:
            bad = record(session, "booking.created", booking("bad", **info("Eve\r\nBcc: x")))
        with db.session() as session:
            good_after = record(session, "booking.created", booking("good2", **info("Bob")))
        run_worker(
            lambda: len(receiver.received) >= 3 and len(smtp.mailbox.messages) >= 4,
            settings_=mail,
        )
        assert {r.id for r in receiver.received} == {good_before.id, bad.id, good_after.id}
        subjects = sorted(str(m["Subject"]) for _, m in smtp.mailbox.messages)
        assert subjects == [
            "Booking confirmed: Intro",
            "Booking confirmed: Intro",
            "New booking: Intro with Ann",
            "New booking: Intro with Bob",
        ]
        with db.session(write=False) as session:
            [failed] = session.scalars(
                select(Delivery).where(Delivery.outbox_id == bad.id, Delivery.kind == "email")
            ).all()
            [attempt] = session.scalars(
                select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == failed.id)
            ).all()
            undispatched = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None))
            )
        assert failed.status == "failed" and failed.finished_at is not None
        assert attempt.error is not None and attempt.error.startswith("could not be built")
        assert "linefeed" in attempt.error or "carriage" in attempt.error
        assert undispatched == 0
    finally:
        smtp.stop()


def test_retention_prunes_old_history_in_bounded_batches(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    settings: Settings,
    run_worker: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    destination = subscribe(api, receiver)
    keep = dataclasses.replace(FAST, retention_days=365)  # no pruning while setting up
    real_now, real_now_ms = clock.now, clock.now_ms
    # Forty days ago (the injectable clock): three notifications delivered, one after a failure.
    monkeypatch.setattr(clock, "now", lambda: real_now() - 40 * DAY)
    monkeypatch.setattr(clock, "now_ms", lambda: real_now_ms() - 40 * DAY * 1000)
    receiver.mode = "error"
    with db.session() as session:
        old = [record(session, "booking.created", booking(f"old{n}")) for n in range(3)]
    run_worker(lambda: receiver.failed_posts >= 1, policy=keep)
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) >= 3, policy=keep)
    # Today: one more.
    monkeypatch.setattr(clock, "now", real_now)
    monkeypatch.setattr(clock, "now_ms", real_now_ms)
    with db.session() as session:
        recent = record(session, "booking.created", booking("recent"))
    run_worker(lambda: len(receiver.received) >= 4, policy=keep)

    def counts() -> tuple[int, int, int]:
        with db.session(write=False) as session:
            return (
                session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
                session.scalar(select(func.count()).select_from(Delivery)) or 0,
                session.scalar(select(func.count()).select_from(DeliveryAttempt)) or 0,
            )

    outbox, deliveries, attempts = counts()
    assert (outbox, deliveries) == (4, 4) and attempts > 4  # some old ones failed first
    policy = dataclasses.replace(FAST, retention_days=30, retention_batch=2)
    # One round deletes at most a batch per table (attempts by age; then deliveries, with
    # their attempts; then outbox rows no delivery refers to any more).
    assert retention.prune(db, policy, now=real_now()) == 2 + 2 + 2
    assert counts()[:2] == (2, 2)
    # The worker finishes the job on its passes.
    with Worker(db, settings, policy) as worker:
        worker.run_once()
        worker.run_once()
    assert counts() == (1, 1, 1)
    listed = api.get(f"/v3/webhooks/{destination}/deliveries").json()["data"]
    assert [d["notification_id"] for d in listed] == [recent.id]
    assert listed[0]["status"] == "delivered" and len(listed[0]["attempt_log"]) == 1
    assert {o.id for o in old}.isdisjoint({d["notification_id"] for d in listed})
    # Nothing recent, and nothing pending, is ever pruned.
    assert retention.prune(db, policy, now=real_now()) == 0


def test_metrics_queries(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    subscribe(api, receiver)
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    with db.session(write=False) as session:
        backlog = {b.kind: b for b in stats.outbox_backlog_by_kind(session, clock.now() + 5)}
    assert backlog["outbox"].depth == 1 and backlog["outbox"].oldest_age_seconds >= 5
    assert backlog["webhook"].depth == 0 and backlog["reminder"].depth == 0
    receiver.mode = "error"
    run_worker(lambda: receiver.failed_posts >= 2)
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) >= 1)
    with db.session() as session:
        record(session, "booking.created", booking("b2"))
    dispatch.dispatch_outbox(db, Settings(), FAST)
    with db.session(write=False) as session:
        backlog = {b.kind: b for b in stats.outbox_backlog_by_kind(session, clock.now())}
        attempts = stats.delivery_attempts_by_outcome(session)
        states = stats.destinations_by_state(session)
    assert backlog["outbox"].depth == 0 and backlog["webhook"].depth == 1
    assert {(a.outcome, a.destination_state) for a in attempts} == {
        ("failure", "active"),
        ("success", "active"),
    }
    by_outcome = {a.outcome: a.count for a in attempts}
    assert by_outcome["success"] == 1 and by_outcome["failure"] == receiver.failed_posts
    assert states == {"active": 1}


def receiver_example() -> Callable[..., bool]:
    """The verification function exactly as docs/webhooks.md shows it."""
    text = DOCS.read_text()
    section = text[text.index("## Signatures and replays") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify_slotwise_signature"]


@pytest.mark.parametrize("compressed", [False, True])
def test_the_documented_receiver_check_accepts_deliveries_and_refuses_replays(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    run_worker: Callable[..., None],
    compressed: bool,
) -> None:
    verify = receiver_example()
    response = api.post(
        "/v3/webhooks",
        json={
            "trigger_types": ["booking.created"],
            "webhook_url": receiver.url,
            "compressed_delivery": compressed,
        },
    )
    secret = receiver.secret = response.json()["data"]["webhook_secret"]
    with db.session() as session:
        record(session, "booking.created", booking("b1"))
    run_worker(lambda: len(receiver.received) >= 1)
    [got] = receiver.received
    headers = httpx.Headers(got.headers)  # case-insensitive, like a framework's
    sent_at = int(headers["X-Slotwise-Timestamp"])
    assert abs(sent_at - time.time()) < 60
    assert verify(secret, headers, got.raw)
    assert receiver.bad_signatures == 0  # X-Nylas-Signature is still the body's alone
    # Replayed later, tampered with, or checked with another secret: refused.
    assert not verify(secret, headers, got.raw, now=sent_at + 301)
    assert not verify(secret, headers, got.raw + b" ")
    assert not verify("another secret", headers, got.raw)
    moved = httpx.Headers({**dict(headers.items()), "X-Slotwise-Timestamp": str(sent_at + 1)})
    assert not verify(secret, moved, got.raw)


def test_a_stopping_worker_gives_back_what_it_claimed_ahead(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    subscribe(api, receiver)
    receiver.mode, receiver.delay = "slow", 0.5
    with db.session() as session:
        for n in range(3):
            record(session, "booking.created", booking(f"b{n}"))
    ahead = dataclasses.replace(FAST, destination_concurrency=1, prefetch=3, lease_seconds=60)
    with Worker(db, settings, ahead) as worker:
        while worker.run_once() == 0 or not worker.pool.busy():
            pass  # fan-out, then the claim of all three (one sent, two held ahead)
        assert worker.pool.held() == {next(iter(worker.pool.held())): 3}
    # The one being sent finished and was recorded; the two never sent are due again now,
    # their attempt numbers unused (no lease to wait out).
    with db.session(write=False) as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.sequence)).all()
    assert [(d.status, d.attempts, d.claim_token) for d in rows] == [
        ("delivered", 1, None),
        ("pending", 0, None),
        ("pending", 0, None),
    ]
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) >= 3)
    assert [r.attempt for r in receiver.received] == [1, 1, 1]

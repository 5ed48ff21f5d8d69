"""Edge cases found by trying /v3/webhooks and delivery the way a new operator would."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import event, func, select

from slotwise import keyring
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, WebhookDestination
from slotwise.notifications import record
from slotwise.webhooks.sender import Notification, post
from slotwise.worker import Worker
from tests.conftest import API_KEY
from tests.support.server import LiveServer, free_port
from tests.support.waiting import HTTP_TIMEOUT, SERVE_POLL, wait_until
from tests.webhooks.conftest import FAST, ThreadedWorker
from tests.webhooks.receiver import Receiver


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/hook", "http://127.0.0.1:port/hook"]
)
def test_malformed_urls_are_refused_not_500(
    api: httpx.Client, receiver: Receiver, url: str
) -> None:
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": url}
    )
    assert response.status_code == 400, response.text
    assert "webhook_url" in response.json()["error"]["message"]
    created = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    ).json()["data"]
    response = api.put(f"/v3/webhooks/{created['id']}", json={"webhook_url": url})
    assert response.status_code == 400, response.text
    assert receiver.challenges == 1


class Nasty:
    """A loopback endpoint that misbehaves by path: /trickle sends the challenge then a byte
    every half second until the endpoint stops (so only the caller's deadline can end it);
    /huge echoes the challenge followed by 64 MB of spaces, counting what it got to send."""

    HUGE = 64 * 1024 * 1024

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.posts = 0
        self.stopped = threading.Event()
        self.huge_sent = 0
        self.huge_done = threading.Event()
        nasty = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                challenge = parse_qs(parts.query).get("challenge", [""])[0].encode()
                if self.command == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    nasty.posts += 1
                try:
                    if parts.path == "/trickle":
                        self.send_response(200)
                        self.send_header("Content-Length", "1000")
                        self.end_headers()
                        self.wfile.write(challenge)
                        self.wfile.flush()
                        while not nasty.stopped.wait(0.5):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                    elif parts.path == "/huge":
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(challenge) + nasty.HUGE))
                        self.end_headers()
                        self.wfile.write(challenge)
                        for _ in range(nasty.HUGE // 65536):
                            self.wfile.write(b" " * 65536)
                            nasty.huge_sent += 65536
                except OSError:
                    pass
                finally:
                    if parts.path == "/huge":
                        nasty.huge_done.set()

            do_GET = _answer
            do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(SERVE_POLL,), daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def nasty() -> Iterator[Nasty]:
    server = Nasty()
    yield server
    server.stop()


@pytest.fixture
def quick_server(db: Database, base_settings: Settings, database_url: str) -> Iterator[LiveServer]:
    settings = dataclasses.replace(
        base_settings, database_url=database_url, webhook_challenge_timeout=2
    )
    server = LiveServer(settings, db).start()
    yield server
    server.stop()


def test_challenge_deadline_covers_a_trickling_body(quick_server: LiveServer, nasty: Nasty) -> None:
    # The body never ends while the endpoint runs: an answer at all is the 2 s deadline's.
    response = httpx.post(
        quick_server.url + "/v3/webhooks",
        json={"trigger_types": ["booking.created"], "webhook_url": nasty.url + "/trickle"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 400, response.text
    assert not nasty.stopped.is_set()


def test_huge_challenge_answer_is_refused_without_reading_it_all(
    api: httpx.Client, nasty: Nasty
) -> None:
    response = api.post(
        "/v3/webhooks",
        json={"trigger_types": ["booking.created"], "webhook_url": nasty.url + "/huge"},
    )
    assert response.status_code == 400, response.text
    assert "webhook_url" in response.json()["error"]["message"]


def test_attempt_deadline_covers_a_trickling_receiver(nasty: Nasty) -> None:
    notification = Notification("n1", "booking.created", "/nylas/passthru", 0, {"booking_id": "b"})
    # As above: only the 1.5 s attempt deadline can end this answer.
    result = post(
        nasty.url + "/trickle",
        "secret",
        notification,
        1,
        application_id="app",
        compressed=False,
        timeout=1.5,
        body_limit=2000,
    )
    assert not result.success and result.error
    assert not nasty.stopped.is_set()


def test_huge_receiver_answer_is_not_read_whole(nasty: Nasty) -> None:
    notification = Notification("n1", "booking.created", "/nylas/passthru", 0, {"booking_id": "b"})
    result = post(
        nasty.url + "/huge",
        "secret",
        notification,
        1,
        application_id="app",
        compressed=False,
        timeout=10,
        body_limit=2000,
    )
    assert result.success and result.status_code == 200
    assert result.response_body is not None and len(result.response_body) <= 2000
    # The sender hung up after its limit: the endpoint could not send the whole 64 MB.
    wait_until(nasty.huge_done.is_set, "the endpoint to notice the hang-up")
    assert nasty.huge_sent < nasty.HUGE


def test_breaker_counts_attempts_in_the_database(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    """Judging a destination must not load every attempt row of the window (a failing
    destination may have days of them), only their counts."""
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    )
    receiver.secret = response.json()["data"]["webhook_secret"]
    receiver.mode = "error"
    with db.session() as session:
        for n in range(3):
            record(session, "booking.created", {"booking_id": f"b{n}", "booking_info": {}})
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        run_worker(lambda: receiver.failed_posts >= 6)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    loads = [s for s in statements if "delivery_attempts.response_body" in s and "SELECT" in s]
    assert loads == []


def test_delete_while_deliveries_are_pending_and_in_flight(
    api: httpx.Client, db: Database, receiver: Receiver, settings: Settings
) -> None:
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    )
    webhook = response.json()["data"]
    receiver.secret = webhook["webhook_secret"]
    receiver.mode, receiver.delay = "slow", 1.0
    with db.session() as session:
        for n in range(10):
            record(session, "booking.created", {"booking_id": f"b{n}", "booking_info": {}})
    policy = dataclasses.replace(
        FAST, destination_concurrency=2, request_timeout_seconds=5, lease_seconds=10
    )
    with ThreadedWorker(db, settings, policy):
        # The worker keeps the destination's share in flight; wait until all of it is (on a
        # loaded machine its second request can trail the first).
        wait_until(
            lambda: receiver.in_flight >= policy.destination_concurrency,
            "the destination's share in flight",
        )
        assert receiver.in_flight == policy.destination_concurrency
        deleted = api.delete(f"/v3/webhooks/{webhook['id']}")
        assert deleted.status_code == 200, deleted.text
        posts_at_delete = receiver.posts
    # Leaving the block let what was in flight finish. Worker passes now would claim any
    # delivery still due to the deleted destination: there is none.
    with Worker(db, settings, policy) as worker:
        for _ in range(3):
            worker.run_once()
    assert receiver.posts == posts_at_delete
    assert api.get(f"/v3/webhooks/{webhook['id']}").status_code == 404
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
        assert session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 0


@pytest.mark.parametrize("status", [301, 302, 400, 404, 410, 500, 503])
def test_non_2xx_answers_are_failed_attempts_and_retried(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    run_worker: Callable[..., None],
    status: int,
) -> None:
    """Redirects are not followed; 3xx/4xx/5xx all count as failures and are retried."""
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    )
    webhook = response.json()["data"]
    receiver.secret = webhook["webhook_secret"]
    receiver.mode, receiver.status = "status", status
    with db.session() as session:
        record(session, "booking.created", {"booking_id": "b1", "booking_info": {}})
    run_worker(lambda: receiver.posts >= 2)
    listed = api.get(f"/v3/webhooks/{webhook['id']}/deliveries").json()["data"]
    [delivery] = listed
    assert delivery["status"] == "pending" and delivery["attempts"] >= 2
    assert {a["status_code"] for a in delivery["attempt_log"]} == {status}
    assert not any(a["success"] for a in delivery["attempt_log"])
    receiver.mode = "ok"
    run_worker(lambda: len(receiver.received) == 1)
    assert receiver.received[0].attempt >= 3


def test_big_compressed_payload_after_rotation(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    """A 1.5 MB booking payload, gzipped, signed with the rotated secret only."""
    response = api.post(
        "/v3/webhooks",
        json={
            "trigger_types": ["booking.created"],
            "webhook_url": receiver.url,
            "compressed_delivery": True,
        },
    )
    webhook = response.json()["data"]
    assert webhook["compressed_delivery"] is True
    big = {"booking_id": "b1", "booking_info": {"event_description": "x" * 1_500_000}}
    with db.session() as session:
        record(session, "booking.created", big)
    rotated = api.post(f"/v3/webhooks/rotate-secret/{webhook['id']}").json()["data"]
    assert rotated["webhook_secret"] != webhook["webhook_secret"]
    receiver.secret = webhook["webhook_secret"]  # the old secret no longer verifies
    run_worker(lambda: receiver.bad_signatures >= 1)
    receiver.secret = rotated["webhook_secret"]
    run_worker(lambda: len(receiver.received) == 1)
    [received] = receiver.received
    assert received.compressed and received.type == "booking.created"
    # Every attempt after the rotation is signed with the new secret: the first one that the
    # receiver checked with it succeeded.
    assert received.object == big and received.attempt == receiver.bad_signatures + 1


@pytest.mark.slow
def test_many_destinations_by_many_notifications(
    api: httpx.Client, db: Database, settings: Settings
) -> None:
    """6 destinations × 40 notifications: all delivered, with a bounded number of statements
    per delivery (no query per row of a growing table)."""
    receivers = [Receiver().start() for _ in range(6)]
    try:
        for r in receivers:
            response = api.post(
                "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": r.url}
            )
            r.secret = response.json()["data"]["webhook_secret"]
        with db.session() as session:
            for n in range(40):
                record(session, "booking.created", {"booking_id": f"b{n}", "booking_info": {}})
        statements: list[str] = []

        def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", seen)
        started = time.monotonic()
        try:
            policy = dataclasses.replace(FAST, batch_size=50)
            with ThreadedWorker(db, settings, policy):
                wait_until(lambda: all(len(r.received) >= 40 for r in receivers), "every delivery")
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        elapsed = time.monotonic() - started
        assert all(len(r.received) == 40 for r in receivers)
        per_delivery = len(statements) / 240
        print(f"240 deliveries in {elapsed:.1f} s, {per_delivery:.1f} statements each")
        assert per_delivery < 12
    finally:
        for r in receivers:
            r.stop()


def test_a_secret_no_key_opens_fails_its_own_attempts_only(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    run_worker: Callable[..., None],
) -> None:
    """A destination whose secret was sealed with a key the worker no longer has gets failed
    attempts naming the setting, and is retried; the other destinations still receive."""
    good = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    ).json()["data"]
    receiver.secret = good["webhook_secret"]
    other = Receiver().start()
    try:
        lost = api.post(
            "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": other.url}
        ).json()["data"]
        gone = keyring.Keyring([keyring.generate_key()])
        with db.session() as session:
            destination = session.get(WebhookDestination, lost["id"])
            assert destination is not None
            destination.sealed_secret = gone.seal("sealed with a key that is gone")
            record(session, "booking.created", {"booking_id": "b1", "booking_info": {}})

        def lost_tried() -> bool:
            with db.session(write=False) as session:
                attempts = session.scalars(
                    select(DeliveryAttempt).where(DeliveryAttempt.destination_id == lost["id"])
                ).all()
            return len(attempts) >= 2

        run_worker(lambda: len(receiver.received) == 1 and lost_tried())
        assert other.posts == 0  # nothing unsigned, or signed with something else, was sent
        [delivery] = api.get(f"/v3/webhooks/{lost['id']}/deliveries").json()["data"]
        assert delivery["status"] == "pending"  # retried: the key may be configured again
        assert all("SLOTWISE_SECRET_KEY" in a["error"] for a in delivery["attempt_log"])
    finally:
        other.stop()

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
from sqlalchemy import event

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.notifications import record
from slotwise.webhooks.sender import Notification, post
from tests.conftest import API_KEY
from tests.support.server import LiveServer, free_port
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
    """A loopback endpoint that misbehaves by path: /trickle sends the challenge then one byte
    a second; /huge echoes the challenge followed by 64 MB of spaces."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.posts = 0
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
                        for _ in range(60):
                            self.wfile.flush()
                            time.sleep(0.5)
                            self.wfile.write(b" ")
                    elif parts.path == "/huge":
                        size = 64 * 1024 * 1024
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(challenge) + size))
                        self.end_headers()
                        self.wfile.write(challenge)
                        for _ in range(size // 65536):
                            self.wfile.write(b" " * 65536)
                except OSError:
                    pass

            do_GET = _answer
            do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
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
    started = time.monotonic()
    response = httpx.post(
        quick_server.url + "/v3/webhooks",
        json={"trigger_types": ["booking.created"], "webhook_url": nasty.url + "/trickle"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert time.monotonic() - started < 5


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
    started = time.monotonic()
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
    assert time.monotonic() - started < 3.5
    assert not result.success and result.error


def test_huge_receiver_answer_is_not_read_whole(nasty: Nasty) -> None:
    notification = Notification("n1", "booking.created", "/nylas/passthru", 0, {"booking_id": "b"})
    started = time.monotonic()
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
    assert time.monotonic() - started < 2


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

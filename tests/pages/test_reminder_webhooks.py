"""A page reminder's `webhook_url`: the reminder goes to that URL only, through the worker's
delivery path, moved and cancelled with its booking; hostile URLs are refused when saved.

The worker's reminder clock is set to the due time (no waiting for it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise import outbound
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, Reminder, WebhookDestination
from slotwise.errors import InvalidRequest
from slotwise.validation import check_delivery_url
from slotwise.worker import Worker
from tests.support.pages import account, bearer, booking_request, create_page, page_body
from tests.support.scheduling import config_body, participant
from tests.webhooks.conftest import FAST, receiver, run_worker, settings
from tests.webhooks.receiver import Receiver

__all__ = ["receiver", "run_worker", "settings"]

MINUTES = 30


@pytest.fixture
def page_receivers() -> Iterator[tuple[Receiver, Receiver]]:
    first, second = Receiver().start(), Receiver().start()
    for r in (first, second):
        r.verify_signatures = False  # Slotwise's own secret signs these
    yield first, second
    first.stop()
    second.stop()


def reminder(url: str) -> dict[str, Any]:
    return {
        "delivery_method": "webhook",
        "delivery_recipient": "owner",
        "time_before_event": MINUTES,
        "webhook_url": url,
    }


def fire_at(db: Database, settings: Settings, at: int) -> None:
    """Worker passes with the reminder clock at `at` (deliveries still go out for real)."""
    with Worker(db, settings, FAST, now_fn=lambda: at) as worker:
        for _ in range(3):
            worker.run_once()


def pending_reminders(db: Database) -> int:
    with db.session(write=False) as session:
        rows = session.scalars(select(Reminder).where(Reminder.status == "pending")).all()
        return len(rows)


def test_a_page_reminder_goes_to_its_webhook_url_only(
    api: httpx.Client,
    anon: httpx.Client,
    db: Database,
    receiver: Receiver,
    page_receivers: tuple[Receiver, Receiver],
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    mine, other = page_receivers
    hook = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.reminder"], "webhook_url": receiver.url}
    )
    assert hook.status_code == 200, hook.text
    receiver.secret = hook.json()["data"]["webhook_secret"]
    ann, bob = account(api, "ann@example.com"), account(api, "bob@example.com")
    create_page(anon, page_body(ann, slug="mine", reminders=[reminder(mine.url)]), ann.token)
    create_page(anon, page_body(bob, slug="other", reminders=[reminder(other.url)]), bob.token)

    slots = anon.get("/schedule/mine/timeslots").json()
    first, third, later = slots[6], slots[10], slots[20]
    made = anon.post("/schedule/mine/timeslots", json=booking_request(first))
    assert made.status_code == 200, made.text
    gone = anon.post("/schedule/mine/timeslots", json=booking_request(third, "g2@example.com"))
    assert gone.status_code == 200, gone.text
    cancel = anon.post(f"/schedule/mine/{gone.json()['edit_hash']}/cancel", json={"reason": "x"})
    assert cancel.status_code == 200, cancel.text
    moved = {**booking_request(later), "replaces_booking_hash": made.json()["edit_hash"]}
    assert anon.post("/schedule/mine/timeslots", json=moved).status_code == 200
    run_worker(lambda: pending_reminders(db) == 1)  # the moved booking's only

    # At the old due time and at the cancelled booking's, nothing fires.
    fire_at(db, settings, first["start"] - MINUTES * 60 + 5)
    fire_at(db, settings, third["start"] - MINUTES * 60 + 5)
    assert mine.posts == 0

    fire_at(db, settings, later["start"] - MINUTES * 60 + 5)
    [delivered] = mine.wait_for(1)
    assert delivered.type == "booking.reminder"
    info = delivered.object["booking_info"]
    assert (info["start_time"], info["end_time"]) == (later["start"], later["end"])
    assert info["time_until_event"] == MINUTES * 60 - 5
    assert info["organizer_email"] == "ann@example.com"
    with db.session(write=False) as session:
        [sent] = session.scalars(select(Delivery).where(Delivery.trigger == "booking.reminder"))
        assert (sent.status, sent.attempts) == ("delivered", 1)
    # Neither the other page's URL nor the registered webhook heard of it, and the page's
    # endpoint is no registered webhook.
    assert other.posts == 0 and receiver.posts == 0
    listed = api.get("/v3/webhooks").json()["data"]
    assert [w["webhook_url"] for w in listed] == [receiver.url]


def test_a_failing_page_url_is_retried(
    api: httpx.Client,
    anon: httpx.Client,
    db: Database,
    page_receivers: tuple[Receiver, Receiver],
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    flaky, _ = page_receivers
    flaky.mode = "status"
    ann = account(api, "ann@example.com")
    create_page(anon, page_body(ann, slug="flaky", reminders=[reminder(flaky.url)]), ann.token)
    slot = anon.get("/schedule/flaky/timeslots").json()[6]
    assert anon.post("/schedule/flaky/timeslots", json=booking_request(slot)).status_code == 200
    run_worker(lambda: pending_reminders(db) == 1)
    fire_at(db, settings, slot["start"] - MINUTES * 60 + 5)

    def attempts(count: int) -> Callable[[], bool]:
        def reached() -> bool:
            with db.session(write=False) as session:
                rows = session.scalars(
                    select(Delivery).where(Delivery.trigger == "booking.reminder")
                )
                return any(d.attempts >= count for d in rows)

        return reached

    run_worker(attempts(2))
    flaky.mode = "ok"
    run_worker(lambda: len(flaky.received) == 1)
    assert flaky.received[0].attempt >= 2


def test_deleting_the_page_drops_its_endpoint(
    api: httpx.Client,
    anon: httpx.Client,
    db: Database,
    page_receivers: tuple[Receiver, Receiver],
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    mine, _ = page_receivers
    ann = account(api, "ann@example.com")
    page = create_page(
        anon, page_body(ann, slug="dropped", reminders=[reminder(mine.url)]), ann.token
    )
    slot = anon.get("/schedule/dropped/timeslots").json()[6]
    assert anon.post("/schedule/dropped/timeslots", json=booking_request(slot)).status_code == 200
    run_worker(lambda: pending_reminders(db) == 1)
    fire_at(db, settings, slot["start"] - MINUTES * 60 + 5)
    mine.wait_for(1)
    assert anon.delete(f"/manage/pages/{page['id']}", headers=bearer(ann.token)).status_code == 200
    with db.session(write=False) as session:
        assert session.scalars(select(WebhookDestination)).all() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::ffff:169.254.169.254]/",
        "http://0.0.0.0:8080/",
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "https://user@example.com/hook",
    ],
)
def test_a_hostile_webhook_url_is_refused_when_saved(
    api: httpx.Client, anon: httpx.Client, url: str
) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="hostile", reminders=[reminder(url)])
    response = anon.post("/manage/pages", json=body, headers=bearer(ann.token))
    assert response.status_code == 400, response.text
    assert "config.reminders[0].webhook_url" in response.json()["error"]["message"]

    # The same check guards an update, and the v3 face (a configuration's reminders).
    good = create_page(anon, page_body(ann, slug="hostile", reminders=[]), ann.token)
    response = anon.put(f"/manage/pages/{good['id']}", json=body, headers=bearer(ann.token))
    assert response.status_code == 400, response.text
    assert "config.reminders[0].webhook_url" in response.json()["error"]["message"]
    v3_reminder = {"type": "webhook", "minutes_before_event": 5, "webhook_url": url}
    response = api.post(
        f"/v3/grants/{ann.grant_id}/scheduling/configurations",
        json=config_body(
            [participant(ann.email, "primary", organizer=True)],
            event_booking={"title": "x", "reminders": [v3_reminder]},
        ),
    )
    assert response.status_code == 400, response.text
    assert "event_booking.reminders[0].webhook_url" in response.json()["error"]["message"]


def test_loopback_and_private_addresses_need_the_allow_list() -> None:
    before = outbound.current()
    try:
        outbound.configure(outbound.Policy())  # the default: SLOTWISE_OUTBOUND_ALLOW empty
        for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/"):
            with pytest.raises(InvalidRequest, match="loopback or private"):
                check_delivery_url("config.reminders[0].webhook_url", url)
        outbound.configure(outbound.Policy(allow=outbound.parse_networks(["127.0.0.0/8"], "x")))
        check_delivery_url("config.reminders[0].webhook_url", "http://127.0.0.1:9/hook")
    finally:
        outbound.configure(before)

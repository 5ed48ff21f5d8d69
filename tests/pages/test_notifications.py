"""Page bookings notify like every booking: signed booking.* webhooks, guest and host emails
with invites, reminders; and manual pages announce booking.pending first."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Reminder
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_emails_reminders import invite
from tests.support.delivery import subscribe
from tests.support.pages import account, booking_request, create_page, page_body
from tests.webhooks.receiver import Receiver

TRIGGERS = ["booking.pending", "booking.created", "booking.rescheduled", "booking.cancelled"]


def test_page_booking_fires_webhooks_emails_and_reminders(
    api: httpx.Client,
    anon: httpx.Client,
    db: Database,
    receiver: Receiver,
    smtp: SmtpServer,
    mail_settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    mail = mail_settings
    subscribe(api, receiver, TRIGGERS)
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="notify")
    body["config"]["booking"]["confirmation_method"] = "manual"
    body["config"]["reminders"] = [
        {"delivery_method": "webhook", "delivery_recipient": "owner", "time_before_event": 30}
    ]
    page = create_page(anon, body, ann.token)
    found = anon.get("/schedule/notify/timeslots").json()
    made = anon.post("/schedule/notify/timeslots", json=booking_request(found[4])).json()
    edit = made["edit_hash"]
    confirm = anon.post(
        f"/schedule/notify/{edit}/confirm",
        json={},
        headers={"Authorization": f"Bearer {page['edit_token']}"},
    )
    assert confirm.status_code == 200, confirm.text
    moved = {**booking_request(found[8]), "replaces_booking_hash": edit}
    assert anon.post("/schedule/notify/timeslots", json=moved).status_code == 200
    assert anon.post(f"/schedule/notify/{edit}/cancel", json={"reason": "x"}).status_code == 200
    run_worker(
        lambda: len(receiver.received) >= 4 and len(smtp.mailbox.messages) >= 6, settings_=mail
    )
    assert [r.type for r in receiver.received] == TRIGGERS
    booking_ids = {r.object["booking_id"] for r in receiver.received}
    assert len(booking_ids) == 1
    guest = [m for to, m in smtp.mailbox.messages if to == ["guest@example.com"]]
    assert guest and all(invite(m) is not None for m in guest)
    assert any(to == [ann.email] for to, _ in smtp.mailbox.messages)
    with db.session(write=False) as session:
        reminders = session.scalars(select(Reminder)).all()
    assert reminders and {r.status for r in reminders} == {"cancelled"}

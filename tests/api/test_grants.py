"""v3 grants: custom authentication, list, find by every identifier form, update, delete."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Event, Grant, OutboxMessage
from tests.support.factories import connect, create_event


def test_connect_custom_creates_a_grant_with_a_primary_calendar(api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com", name="Avery", timezone="America/New_York")
    assert grant["provider"] == "virtual-calendar"
    assert grant["email"] == "avery@example.com"
    assert grant["grant_status"] == "valid"
    calendars = api.get(f"/v3/grants/{grant['id']}/calendars").json()["data"]
    assert len(calendars) == 1
    assert calendars[0]["is_primary"] is True
    assert calendars[0]["name"] == "avery@example.com"
    assert calendars[0]["timezone"] == "America/New_York"


def test_connect_custom_twice_returns_the_same_grant(api: httpx.Client, db: Database) -> None:
    first = connect(api, "avery@example.com")
    again = connect(api, "AVERY@example.com", name="Avery B")
    assert again["id"] == first["id"]
    assert again["name"] == "Avery B"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Calendar)) == 1
        triggers = session.scalars(select(OutboxMessage.trigger).order_by(OutboxMessage.id)).all()
    assert sorted(triggers) == ["grant.created", "grant.updated"]


def test_grant_created_notification_payload(api: httpx.Client, db: Database) -> None:
    grant = connect(api, "avery@example.com")
    with db.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
    assert message.trigger == "grant.created"
    assert message.source == "/nylas/system"
    assert message.payload["grant_id"] == grant["id"]
    assert message.payload["email"] == "avery@example.com"
    assert message.payload["provider"] == "virtual-calendar"
    assert isinstance(message.payload["code"], int)


def test_connect_custom_rejects_unknown_provider_and_bad_email(api: httpx.Client) -> None:
    bad = api.post(
        "/v3/connect/custom", json={"provider": "nope", "settings": {"email": "a@example.com"}}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("provider")
    bad = api.post(
        "/v3/connect/custom", json={"provider": "virtual-calendar", "settings": {"email": "x"}}
    )
    assert bad.status_code == 400
    assert "settings.email" in bad.json()["error"]["message"]
    bad = api.post(
        "/v3/connect/custom",
        json={
            "provider": "virtual-calendar",
            "settings": {"email": "a@example.com", "timezone": "Mars/Base"},
        },
    )
    assert bad.status_code == 400
    assert "settings.timezone" in bad.json()["error"]["message"]


def test_find_by_every_identifier_form(api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com")
    for identifier in (
        grant["id"],
        f"grant:{grant['id']}",
        "avery@example.com",
        "email:avery@example.com",
        quote("avery@example.com", safe=""),
    ):
        response = api.get(f"/v3/grants/{identifier}")
        assert response.status_code == 200, identifier
        assert response.json()["data"]["id"] == grant["id"]
    missing = api.get("/v3/grants/nobody@example.com")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"


def test_list_filters_sorts_and_pages(api: httpx.Client) -> None:
    for name in ("a", "b", "c"):
        connect(api, f"{name}@example.com")
    body = api.get("/v3/grants").json()
    assert body["limit"] == 10 and body["offset"] == 0
    assert len(body["data"]) == 3
    page = api.get("/v3/grants", params={"limit": 2, "offset": 2, "order_by": "asc"}).json()
    assert len(page["data"]) == 1
    only = api.get("/v3/grants", params={"email": "b@example.com"}).json()["data"]
    assert [g["email"] for g in only] == ["b@example.com"]
    assert api.get("/v3/grants", params={"provider": "google"}).json()["data"] == []
    assert api.get("/v3/grants", params={"grant_status": "invalid"}).json()["data"] == []
    assert api.get("/v3/grants", params={"sort_by": "bogus"}).status_code == 400
    assert api.get("/v3/grants", params={"limit": "x"}).status_code == 400


def test_patch_updates_settings_and_scope(api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com")
    response = api.patch(
        "/v3/grants/avery@example.com", json={"settings": {"name": "Avery"}, "scope": ["calendar"]}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Avery" and data["scope"] == ["calendar"]
    assert data["id"] == grant["id"]
    change = api.patch(f"/v3/grants/{grant['id']}", json={"settings": {"email": "z@example.com"}})
    assert change.status_code == 400


def test_delete_removes_everything_under_the_grant(api: httpx.Client, db: Database) -> None:
    grant = connect(api, "avery@example.com")
    keep = connect(api, "blake@example.com")
    extra = api.post(f"/v3/grants/{grant['id']}/calendars", json={"name": "Side"}).json()["data"]
    create_event(api, grant["id"], {"when": {"start_time": 1000, "end_time": 2000}})
    create_event(api, grant["id"], {"when": {"date": "2024-01-01"}}, calendar_id=extra["id"])
    create_event(api, keep["id"], {"when": {"start_time": 1000, "end_time": 2000}})
    response = api.delete(f"/v3/grants/{grant['id']}")
    assert response.status_code == 200
    assert set(response.json()) == {"request_id"}
    assert api.get(f"/v3/grants/{grant['id']}").status_code == 404
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Grant)) == 1
        assert session.scalar(select(func.count()).select_from(Calendar)) == 1
        assert session.scalar(select(func.count()).select_from(Event)) == 1
        orphans = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.calendar_id.not_in(select(Calendar.id)))
        )
        assert orphans == 0
        deleted = session.scalars(
            select(OutboxMessage).where(OutboxMessage.trigger == "grant.deleted")
        ).one()
    assert deleted.payload["grant_id"] == grant["id"]

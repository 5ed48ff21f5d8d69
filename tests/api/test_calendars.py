"""v3 calendars: CRUD, the primary alias, metadata, colour aliases, paging and select."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from tests.support.factories import connect


def _base(grant: dict[str, object]) -> str:
    return f"/v3/grants/{grant['id']}/calendars"


def test_crud(api: httpx.Client, db: Database) -> None:
    grant = connect(api, "avery@example.com")
    created = api.post(
        _base(grant),
        json={
            "name": "Work",
            "description": "d",
            "location": "Berlin",
            "timezone": "Europe/Berlin",
            "metadata": {"team": "core"},
        },
    )
    assert created.status_code == 200, created.text
    cal = created.json()["data"]
    assert cal["object"] == "calendar"
    assert cal["grant_id"] == grant["id"]
    assert cal["is_primary"] is False and cal["read_only"] is False
    assert cal["is_owned_by_user"] is True
    assert cal["metadata"] == {"team": "core"}
    found = api.get(f"{_base(grant)}/{cal['id']}").json()["data"]
    assert found == cal
    updated = api.put(
        f"{_base(grant)}/{cal['id']}",
        json={"name": "Work 2", "hexColor": "#ff0000", "hexForegroundColor": "#000000"},
    ).json()["data"]
    assert updated["name"] == "Work 2"
    assert updated["hex_color"] == "#ff0000"
    assert updated["hex_foreground_color"] == "#000000"
    assert updated["description"] == "d"
    snake = api.put(f"{_base(grant)}/{cal['id']}", json={"hex_color": "#00ff00"}).json()["data"]
    assert snake["hex_color"] == "#00ff00"
    deleted = api.delete(f"{_base(grant)}/{cal['id']}")
    assert deleted.status_code == 200 and set(deleted.json()) == {"request_id"}
    assert api.get(f"{_base(grant)}/{cal['id']}").status_code == 404
    with db.session() as session:
        triggers = session.scalars(select(OutboxMessage.trigger).order_by(OutboxMessage.id)).all()
    assert [t for t in triggers if t.startswith("calendar.")] == [
        "calendar.created",
        "calendar.updated",
        "calendar.updated",
        "calendar.deleted",
    ]


def test_primary_alias_and_primary_cannot_be_deleted(api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com")
    primary = api.get(f"{_base(grant)}/primary").json()["data"]
    assert primary["is_primary"] is True
    response = api.delete(f"{_base(grant)}/primary")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("calendar_id")
    assert api.get(f"{_base(grant)}/{primary['id']}").status_code == 200


def test_calendar_of_another_grant_is_not_found(api: httpx.Client) -> None:
    avery = connect(api, "avery@example.com")
    blake = connect(api, "blake@example.com")
    blakes = api.get(f"{_base(blake)}/primary").json()["data"]
    assert api.get(f"{_base(avery)}/{blakes['id']}").status_code == 404


def test_metadata_pair_paging_and_select(api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com")
    for i in range(5):
        api.post(_base(grant), json={"name": f"c{i}", "metadata": {"n": str(i % 2)}})
    odd = api.get(_base(grant), params={"metadata_pair": "n:1"}).json()["data"]
    assert sorted(c["name"] for c in odd) == ["c1", "c3"]
    node_form = api.get(_base(grant), params={"metadata_pair": "n:1,other:x"}).json()["data"]
    assert node_form == []
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if token:
            params["page_token"] = token
        body = api.get(_base(grant), params=params).json()
        seen += [c["id"] for c in body["data"]]
        token = body["next_cursor"]
        if token is None:
            break
    assert len(seen) == 6 and len(set(seen)) == 6
    picked = api.get(_base(grant), params={"select": "id,name"}).json()["data"][0]
    assert set(picked) <= {"id", "name", "object"}
    assert api.get(_base(grant), params={"page_token": "garbage!"}).status_code == 400

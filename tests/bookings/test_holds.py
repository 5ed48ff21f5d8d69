"""Holds (docs/scheduling.md): a guest keeps a slot while filling in the form, over real HTTP
on both databases; expiry by moving Slotwise's clock, never by waiting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import Hold
from slotwise.ids import new_uuid
from slotwise.scheduling import holds_repository
from tests.support.scheduling import (
    DAY,
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)
from tests.support.server import LiveServer

OPEN = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "9:00", "end": "12:00"}]


def _config(api: httpx.Client, db: Database, **scheduler: Any) -> dict[str, Any]:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        availability={"duration_minutes": 30, "availability_rules": {"default_open_hours": OPEN}},
        scheduler={"min_booking_notice": 0, **scheduler},
    )
    return {**create_config(api, grant_id, body), "grant": grant_id, "calendar": calendar_id}


def hold(client: httpx.Client, config_id: str, start: int, **body: Any) -> httpx.Response:
    return client.post(
        "/v3/scheduling/holds",
        params={"configuration_id": config_id},
        json={"start_time": start, "end_time": start + 1800, **body},
    )


def offered(client: httpx.Client, config_id: str, start: int, end: int) -> list[int]:
    response = client.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": end},
    )
    assert response.status_code == 200, response.text
    return [s["start_time"] for s in response.json()["data"]["time_slots"]]


def _guest(n: int) -> dict[str, Any]:
    return {"guest": {"email": f"guest{n}@example.com", "name": f"Guest {n}"}}


def test_a_held_slot_is_kept_for_its_guest_only(
    api: httpx.Client, db: Database, server: LiveServer, frozen_clock: int
) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    with httpx.Client(base_url=server.url) as guest:
        taken = hold(guest, config["id"], slot)
        assert taken.status_code == 200, taken.text
        data = taken.json()["data"]
        assert data["expires_at"] == frozen_clock + 300
        assert data["start_time"] == slot
        assert slot not in offered(guest, config["id"], slot - HOUR, slot + HOUR)
        assert slot + 1800 in offered(guest, config["id"], slot - HOUR, slot + HOUR)
        # Nobody else holds or books it.
        other = hold(guest, config["id"], slot)
        assert other.status_code == 409, other.text
        refused = book(guest, config["id"], slot, **_guest(2))
        assert refused.status_code == 409, refused.text
        assert slot not in [s["start_time"] for s in refused.json()["error"]["suggestions"]]
        # Another guest's secret converts nothing.
        forged = book(
            guest,
            config["id"],
            slot,
            hold_id=data["hold_id"],
            hold_secret=other.json().get("hold_secret", "x" * 20),
            **_guest(2),
        )
        assert forged.status_code == 400, forged.text
        assert forged.json()["error"]["message"].startswith("hold_id")
        made = book(
            guest,
            config["id"],
            slot,
            hold_id=data["hold_id"],
            hold_secret=data["hold_secret"],
            **_guest(1),
        )
        assert made.status_code == 200, made.text
        # Converted: the hold is gone, the booking keeps the slot.
        again = book(
            guest,
            config["id"],
            slot,
            hold_id=data["hold_id"],
            hold_secret=data["hold_secret"],
            **_guest(1),
        )
        assert again.status_code == 409, again.text


def test_a_hold_expires_by_the_clock(api: httpx.Client, db: Database, frozen_clock: int) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    data = hold(api, config["id"], slot, email="first@example.com").json()["data"]
    clock.advance(299)
    assert slot not in offered(api, config["id"], slot, slot + HOUR)
    clock.advance(1)
    assert slot in offered(api, config["id"], slot, slot + HOUR)
    # Expired: another guest may hold it, and the first guest's late booking finds it taken.
    assert hold(api, config["id"], slot, email="second@example.com").status_code == 200
    late = book(
        api,
        config["id"],
        slot,
        hold_id=data["hold_id"],
        hold_secret=data["hold_secret"],
        **_guest(1),
    )
    assert late.status_code == 409, late.text


def test_an_expired_hold_still_books_a_free_slot(
    api: httpx.Client, db: Database, frozen_clock: int
) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    data = hold(api, config["id"], slot).json()["data"]
    clock.advance(3600)
    made = book(
        api,
        config["id"],
        slot,
        hold_id=data["hold_id"],
        hold_secret=data["hold_secret"],
        **_guest(1),
    )
    assert made.status_code == 200, made.text


def test_one_hold_per_guest_and_moving_it(
    api: httpx.Client, db: Database, frozen_clock: int
) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    first = hold(api, config["id"], slot, email="Guest@Example.com")
    assert first.status_code == 200, first.text
    second = hold(api, config["id"], slot + HOUR, email="guest@example.com")
    assert second.status_code == 409, second.text
    assert second.json()["error"]["message"].startswith("email")
    data = first.json()["data"]
    moved = hold(
        api,
        config["id"],
        slot + HOUR,
        email="guest@example.com",
        hold_id=data["hold_id"],
        hold_secret=data["hold_secret"],
    )
    assert moved.status_code == 200, moved.text
    window = offered(api, config["id"], slot, slot + 2 * HOUR)
    assert slot in window and slot + HOUR not in window
    # Booking under the email ends the guest's hold.
    made = book(api, config["id"], slot, guest={"email": "guest@example.com", "name": "Guest"})
    assert made.status_code == 200, made.text
    assert slot + HOUR in offered(api, config["id"], slot, slot + 2 * HOUR)


def test_release_gives_the_slot_back(api: httpx.Client, db: Database) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    data = hold(api, config["id"], slot).json()["data"]
    path = f"/v3/scheduling/holds/{data['hold_id']}"
    params = {"configuration_id": config["id"]}
    wrong = api.request("DELETE", path, params=params, json={"hold_secret": "nope"})
    assert wrong.status_code == 400, wrong.text
    gone = api.request("DELETE", path, params=params, json={"hold_secret": data["hold_secret"]})
    assert gone.status_code == 200, gone.text
    assert slot in offered(api, config["id"], slot, slot + HOUR)


def test_one_address_keeps_few_holds(api: httpx.Client, db: Database, server: LiveServer) -> None:
    config = _config(api, db)
    day = future_hour(3, 0)
    with httpx.Client(base_url=server.url) as guest:
        for n in range(3):
            assert hold(guest, config["id"], day + 9 * HOUR + n * 1800).status_code == 200
        fourth = hold(guest, config["id"], day + 11 * HOUR)
        assert fourth.status_code == 409, fourth.text
        assert "at most 3 holds" in fourth.json()["error"]["message"]


def test_an_ipv6_guest_is_one_address_across_its_64(
    api: httpx.Client, db: Database, server: LiveServer
) -> None:
    """Counted by /64: new addresses in the same network keep the same three holds, while
    another network has its own (the test server believes loopback's X-Forwarded-For, as
    uvicorn does by default)."""
    config = _config(api, db)
    day = future_hour(3, 0)
    with httpx.Client(base_url=server.url) as guest:

        def hold_from(address: str, n: int) -> httpx.Response:
            guest.headers["X-Forwarded-For"] = address
            return hold(guest, config["id"], day + 9 * HOUR + n * 1800)

        for n in range(3):
            assert hold_from(f"2001:db8:0:1::{n + 1:x}", n).status_code == 200
        fourth = hold_from("2001:db8:0:1:ffff:ffff:ffff:ffff", 3)
        assert fourth.status_code == 409, fourth.text
        assert "at most 3 holds" in fourth.json()["error"]["message"]
        assert hold_from("2001:db8:0:2::1", 3).status_code == 200, "another /64 is someone else"


def test_a_hold_blocks_its_host_in_every_configuration(api: httpx.Client, db: Database) -> None:
    config = _config(api, db)
    body = config_body(
        [participant("ada@example.com", config["calendar"], organizer=True)],
        availability={"duration_minutes": 30, "availability_rules": {"default_open_hours": OPEN}},
    )
    other = create_config(api, config["grant"], body)
    slot = future_hour(3, 10)
    assert hold(api, config["id"], slot).status_code == 200
    assert slot not in offered(api, other["id"], slot, slot + HOUR)
    assert book(api, other["id"], slot, **_guest(1)).status_code == 409


def test_round_robin_hold_keeps_one_host(api: httpx.Client, db: Database) -> None:
    people, first = [], None
    for name in ("ada", "bob"):
        grant_id, calendar_id = make_grant(db, f"{name}@example.com")
        first = first or grant_id
        people.append(participant(f"{name}@example.com", calendar_id))
    assert first is not None
    body = round_robin(config_body(people, scheduler={"min_booking_notice": 0}))
    body["availability"]["availability_rules"]["default_open_hours"] = OPEN
    config = create_config(api, first, body)
    slot = future_hour(3, 10)
    data = hold(api, config["id"], slot).json()["data"]
    # Bob is still free at that time: the slot stays offered, for Bob alone.
    response = api.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config["id"], "start_time": slot, "end_time": slot + 1800},
    )
    [offer] = response.json()["data"]["time_slots"]
    assert offer["emails"] == ["bob@example.com"]
    other = book(api, config["id"], slot, **_guest(2))
    assert other.json()["data"]["organizer"]["email"] == "bob@example.com"
    made = book(
        api,
        config["id"],
        slot,
        hold_id=data["hold_id"],
        hold_secret=data["hold_secret"],
        **_guest(1),
    )
    assert made.status_code == 200, made.text
    assert made.json()["data"]["organizer"]["email"] == "ada@example.com"


def test_holds_take_seats_of_a_group_slot(api: httpx.Client, db: Database) -> None:
    config = _config(api, db, capacity=2)
    slot = future_hour(3, 10)
    assert hold(api, config["id"], slot).status_code == 200
    assert slot in offered(api, config["id"], slot, slot + HOUR)  # one seat left
    assert book(api, config["id"], slot, **_guest(1)).status_code == 200
    assert slot not in offered(api, config["id"], slot, slot + HOUR)
    assert book(api, config["id"], slot, **_guest(2)).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_time": "soon"}, "start_time"),
        ({"email": "not an email"}, "email"),
        ({"hold_id": 7}, "hold_id"),
        ({"hold_id": "x" * 101}, "hold_id"),
        ({"participants": "bob"}, "participants"),
    ],
)
def test_bad_holds_name_the_field(
    api: httpx.Client, db: Database, body: dict[str, Any], field: str
) -> None:
    config = _config(api, db)
    slot = future_hour(3, 10)
    response = api.post(
        "/v3/scheduling/holds",
        params={"configuration_id": config["id"]},
        json={"start_time": slot, "end_time": slot + 1800, **body},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field)
    wrong_length = hold(api, config["id"], slot + DAY)
    assert wrong_length.status_code == 200


def test_a_second_hold_of_one_guest_loses_to_the_unique_key(
    api: httpx.Client, db: Database
) -> None:
    """Two holds of one guest that locked different hosts both pass the guest check; the
    unique key decides, and the loser is told so (a 409 in take_hold, never a 500)."""
    config = _config(api, db)
    slot = future_hour(3, 10)
    assert hold(api, config["id"], slot, email="g@example.com").status_code == 200
    with db.session() as session:
        twin = Hold(
            id=new_uuid(),
            configuration_id=config["id"],
            guest_key="g@example.com",
            client_key="x",
            secret_hash="y",
            start_ts=slot + HOUR,
            end_ts=slot + HOUR + 1800,
            expires_at=slot,
            created_at=0,
        )
        assert holds_repository.add_hold(session, twin, [config["grant"]]) is False
        # The transaction goes on: the savepoint took only the refused row back.
        assert holds_repository.find_guest_hold(session, config["id"], "g@example.com")

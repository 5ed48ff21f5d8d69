"""Every route of the app × every kind of credential, aimed at another grant's resources.

The world has two grants, A and B, each with a private configuration, a booking and a
session, an access token and a v2 Scheduling Page (B's with a pending booking). Every request
targets B (its grant, calendars, events, configuration, booking, session, page, page booking,
page image, access token, and a webhook); the credentials are the API key, B's session
("this"), A's session ("another"), B's booking_ref / page edit_hash ("this"), a ref that pairs
B's ids with A's salt / another booking's capability ("another"), B's organizer ref, B's page
edit_token, A's page edit_token, B's access token, A's access token, a revoked access token of
B, none, and garbage. Only the kinds listed for a route may succeed; every other one is a 4xx
that changed nothing (or, for a listing in `filtered`, a list without B's page), and nothing is
ever a 5xx. The route list comes from the app itself, so a new route without an entry here
fails `test_every_route_has_an_entry`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise import keyring
from slotwise.db.base import Base
from slotwise.db.engine import Database
from slotwise.db.models import WebhookDestination
from slotwise.ids import decode_booking_ref, encode_booking_ref, new_id, new_salt
from tests.conftest import API_KEY
from tests.security.conftest import outbox
from tests.support.pages import Account, booking_request, create_page, page_body
from tests.support.routes import route_app
from tests.support.scheduling import DAY, HOUR, config_body, future_hour, make_grant, participant
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT

# The matrix walks every route with every credential: ~80 tests of about a second each, so
# the fast tier leaves it to the full suite.
pytestmark = pytest.mark.slow

KINDS = (
    "api_key",
    "session_this",
    "session_other",
    "ref_this",
    "ref_other",
    "organizer_ref",
    "edit_token_this",
    "edit_token_other",
    "token_this",
    "token_other",
    "token_revoked",
    "none",
    "garbage",
)
ADMIN = frozenset({"api_key"})
SCHEDULING = frozenset({"api_key", "session_this"})
# Grant-scoped routes the editor calls: the API key, or the grant's own access token (also as
# `me`, tests/hosted/test_me_routing.py).
GRANT = frozenset({"api_key", "token_this"})
# `/manage/pages/{id}…`: the API key, an access token of an account of the page, its edit_token.
PAGE = frozenset({"api_key", "token_this", "edit_token_this"})
NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(KINDS)
# The tables whose rows tell whether anything of the world changed.
WATCHED = (
    "grants",
    "calendars",
    "events",
    "configurations",
    "bookings",
    "scheduling_sessions",
    "webhook_destinations",
    "outbox",
    "access_tokens",
    "scheduling_pages",
    "page_accounts",
    "page_bookings",
    "page_images",
    "redirect_uris",
    "refresh_tokens",
    "authorization_codes",
    "group_events",
    "group_waitlist",
    "holds",
    "grant_limits",
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
_counter = itertools.count()


@dataclass
class World:
    grant: str  # B's
    email: str  # B's grant's email
    calendar: str  # B's primary calendar
    second_calendar: str
    event: str
    config: dict[str, Any]
    booking: str
    guest_ref: str
    organizer_ref: str
    foreign_ref: str  # B's ids with A's salt
    session_this: str
    session_other: str
    webhook: str
    slot: int
    page_id: int  # B's v2 page (manual confirmation)
    page_slug: str
    page_booking: str  # its pending booking's (booking) id
    edit_hash: str  # that booking's
    page_slots: list[dict[str, Any]]  # still free on B's page
    edit_token_this: str
    edit_token_other: str  # A's page's
    token_this: str  # B's access token
    token_other: str  # A's
    token_revoked: str  # B's, revoked
    spare_token: str  # the id of another live token of B's
    image: str  # a stored image of B's page
    pending_image: str  # announced, not uploaded
    redirect_uri: str  # the application's
    group_config: str  # B's private group configuration
    group_event: str  # its group event
    group_slot: dict[str, Any]  # that event's time slot
    hold_id: str  # a live hold on B's configuration
    hold_secret: str


def _access_token(api: httpx.Client, grant_id: str) -> dict[str, Any]:
    response = api.post(f"/v3/grants/{grant_id}/access-tokens")
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _page(
    api: httpx.Client, grant: tuple[str, str], email: str, token: str, **booking: Any
) -> dict[str, Any]:
    account = Account(grant[0], email, token)
    body = page_body(account, slug=f"page-{next(_counter)}")
    body["config"]["booking"].update(booking)
    return create_page(api, body, token)


def _image(api: httpx.Client, page_id: int, *, upload: bool) -> str:
    response = api.put(
        f"/manage/pages/{page_id}/upload-image",
        json={"contentType": "image/png", "objectName": "logo.png"},
    )
    assert response.status_code == 200, response.text
    urls = response.json()
    if upload:
        stored = api.put(urls["signedUrl"], content=PNG, headers={"Content-Type": "image/png"})
        assert stored.status_code == 200, stored.text
    return str(urls["publicUrl"]).rsplit("/", 1)[1]


def _free_slots(api: httpx.Client, slug: str) -> list[dict[str, Any]]:
    response = api.get(f"/schedule/{slug}/timeslots")
    assert response.status_code == 200, response.text
    return list(response.json())


def _session(api: httpx.Client, config_id: str) -> str:
    response = api.post("/v3/scheduling/sessions", json={"configuration_id": config_id})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["session_id"])


def _private_config(api: httpx.Client, grant: tuple[str, str], email: str, **extra: Any) -> dict:
    body = config_body(
        [participant(email, grant[1], organizer=True)],
        requires_session_auth=True,
        slug=f"private-{next(_counter)}",
        **extra,
    )
    response = api.post(f"/v3/grants/{grant[0]}/scheduling/configurations", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _book(api: httpx.Client, config_id: str, start: int) -> dict:
    response = api.post(
        "/v3/scheduling/bookings",
        params={"configuration_id": config_id},
        json={
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"email": "guest@example.com", "name": "Guest"},
        },
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _group(api: httpx.Client, grant_id: str) -> tuple[str, str, dict[str, Any]]:
    """(configuration id, group event id, its time slot) of a private group configuration."""
    body = {
        "type": "group",
        "name": "Class",
        "requires_session_auth": True,
        "group_booking": {"calendar_id": "primary"},
        "scheduler": {"min_booking_notice": 0},
    }
    config = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert config.status_code == 200, config.text
    config_id = str(config.json()["data"]["id"])
    start = future_hour(5, 10)
    made = api.post(
        f"/v3/grants/{grant_id}/scheduling/configurations/{config_id}/group-events",
        json={"title": "Class", "when": {"start_time": start, "end_time": start + HOUR}},
    )
    assert made.status_code == 200, made.text
    event_id = str(made.json()["data"]["event"]["id"])
    slot = {"start_time": start, "end_time": start + HOUR, "event_id": event_id}
    return config_id, event_id, slot


def build_world(api: httpx.Client, db: Database) -> World:
    n = next(_counter)
    a_email, b_email = f"a{n}@example.com", f"b{n}@example.com"
    a, b = make_grant(db, a_email), make_grant(db, b_email)
    config_a = _private_config(api, a, a_email)
    pending = {"title": "Call", "timezone": "UTC", "booking_type": "organizer-confirmation"}
    config_b = _private_config(api, b, b_email, event_booking=pending)
    booking_a = _book(api, config_a["id"], future_hour(2, 10))
    booking_b = _book(api, config_b["id"], future_hour(2, 10))
    [message] = [
        m
        for m in outbox(db, "booking.pending")
        if m.payload["booking_id"] == booking_b["booking_id"]
    ]
    organizer_ref = message.payload["booking_info"]["host_confirmation_url"].rsplit("/", 1)[1]
    a_salt = decode_booking_ref(booking_a["booking_ref"]).salt  # type: ignore[union-attr]
    second = api.post(f"/v3/grants/{b[0]}/calendars", json={"name": "Second"})
    assert second.status_code == 200, second.text
    event = api.post(
        f"/v3/grants/{b[0]}/events",
        params={"calendar_id": b[1]},
        json={
            "title": "Busy",
            "when": {"start_time": future_hour(4, 10), "end_time": future_hour(4, 11)},
        },
    )
    assert event.status_code == 200, event.text
    webhook = new_id()
    with db.session() as session:
        session.add(
            WebhookDestination(
                id=webhook,
                trigger_types=["booking.created"],
                webhook_url="https://hooks.example/b",
                status="active",
                notification_email_addresses=[],
                sealed_secret=keyring.seal(new_salt()),
                status_updated_at=0,
                created_at=0,
                updated_at=0,
            )
        )
    token_a, token_b = _access_token(api, a[0]), _access_token(api, b[0])
    spare, revoked = _access_token(api, b[0]), _access_token(api, b[0])
    gone = api.delete(f"/v3/grants/{b[0]}/access-tokens/{revoked['id']}")
    assert gone.status_code == 200, gone.text
    page_a = _page(api, a, a_email, token_a["access_token"])
    page_b = _page(api, b, b_email, token_b["access_token"], confirmation_method="manual")
    first, *_ = _free_slots(api, page_b["slug"])
    made = api.post(f"/schedule/{page_b['slug']}/timeslots", json=booking_request(first))
    assert made.status_code == 200, made.text
    # The Schedule Editor names a booking by its booking id, not the v2 booking's number.
    listed = api.get(f"/manage/pages/{page_b['id']}/bookings")
    assert listed.status_code == 200, listed.text
    [page_booking] = listed.json()
    group_config, group_event, group_slot = _group(api, b[0])
    hold = api.post(
        "/v3/scheduling/holds",
        params={"configuration_id": config_b["id"]},
        json={"start_time": future_hour(6, 10), "end_time": future_hour(6, 10) + 1800},
    )
    assert hold.status_code == 200, hold.text
    return World(
        grant=b[0],
        email=b_email,
        calendar=b[1],
        second_calendar=str(second.json()["data"]["id"]),
        event=str(event.json()["data"]["id"]),
        config=config_b,
        booking=str(booking_b["booking_id"]),
        guest_ref=str(booking_b["booking_ref"]),
        organizer_ref=organizer_ref,
        foreign_ref=encode_booking_ref(config_b["id"], booking_b["booking_id"], a_salt),
        session_this=_session(api, config_b["id"]),
        session_other=_session(api, config_a["id"]),
        webhook=webhook,
        slot=future_hour(3, 10),
        page_id=int(page_b["id"]),
        page_slug=str(page_b["slug"]),
        page_booking=str(page_booking["id"]),
        edit_hash=str(made.json()["edit_hash"]),
        page_slots=_free_slots(api, page_b["slug"]),
        edit_token_this=str(page_b["edit_token"]),
        edit_token_other=str(page_a["edit_token"]),
        token_this=str(token_b["access_token"]),
        token_other=str(token_a["access_token"]),
        token_revoked=str(revoked["access_token"]),
        spare_token=str(spare["id"]),
        image=_image(api, page_b["id"], upload=True),
        pending_image=_image(api, page_b["id"], upload=False),
        redirect_uri=_redirect_uri(api),
        group_config=group_config,
        group_event=group_event,
        group_slot=group_slot,
        hold_id=str(hold.json()["data"]["hold_id"]),
        hold_secret=str(hold.json()["data"]["hold_secret"]),
    )


def _redirect_uri(api: httpx.Client) -> str:
    url = f"https://app.example/world{next(_counter)}"
    response = api.post("/v3/applications/redirect-uris", json={"url": url, "platform": "web"})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


@dataclass(frozen=True)
class Entry:
    allowed: frozenset[str]
    query: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World, int], dict[str, Any] | None] = lambda w, i: None
    form: bool = False  # hosted pages take forms
    # Kinds that may list, but must not see B's page in what they get.
    filtered: frozenset[str] = frozenset()
    # Path parameters that do not depend on the kind (they replace the defaults of `_path`).
    path: Callable[[World], dict[str, Any]] = lambda w: {}


def _window(w: World) -> dict[str, Any]:
    return {"start_time": w.slot, "end_time": w.slot + DAY}


def _config_query(w: World) -> dict[str, Any]:
    return {"configuration_id": w.config["id"]}


def _calendar_query(w: World) -> dict[str, Any]:
    return {"calendar_id": w.calendar}


def _new_booking(w: World, i: int) -> dict[str, Any]:
    start = w.slot + i * HOUR
    return {
        "start_time": start,
        "end_time": start + 1800,
        "guest": {"email": "someone@example.com", "name": "Someone"},
    }


def _config_create(w: World, i: int) -> dict[str, Any]:
    return config_body([participant(w.email, w.calendar, organizer=True)])


_GROUP = "/v3/grants/{grant}/scheduling/configurations/{configuration_id}"


def _group_path(w: World) -> dict[str, Any]:
    return {"configuration_id": w.group_config}


def _group_event_path(w: World) -> dict[str, Any]:
    return {"configuration_id": w.group_config, "event_id": w.group_event}


def _group_event(w: World, i: int) -> dict[str, Any]:
    start = w.slot + i * HOUR
    return {"title": "Class", "when": {"start_time": start, "end_time": start + HOUR}}


ROUTES: dict[tuple[str, str], Entry] = {
    ("GET", "/"): Entry(EVERYONE),
    ("GET", "/healthz"): Entry(EVERYONE),
    ("GET", "/readyz"): Entry(EVERYONE),
    ("GET", "/metrics"): Entry(ADMIN),
    ("POST", "/v3/connect/custom"): Entry(
        ADMIN,
        body=lambda w, i: {
            "provider": "virtual-calendar",
            "settings": {"email": f"new{next(_counter)}@example.com"},
        },
    ),
    ("GET", "/v3/grants"): Entry(ADMIN),
    ("GET", "/v3/grants/{grant_id}"): Entry(GRANT),
    ("PATCH", "/v3/grants/{grant_id}"): Entry(ADMIN, body=lambda w, i: {"scope": ["calendar"]}),
    ("DELETE", "/v3/grants/{grant_id}"): Entry(ADMIN),
    ("POST", "/v3/grants/{grant_id}/calendars/free-busy"): Entry(
        ADMIN, body=lambda w, i: {**_window(w), "emails": [w.email]}
    ),
    ("GET", "/v3/grants/{grant_id}/calendars"): Entry(GRANT),
    ("POST", "/v3/grants/{grant_id}/calendars"): Entry(GRANT, body=lambda w, i: {"name": "New"}),
    ("GET", "/v3/grants/{grant_id}/calendars/{calendar_id}"): Entry(GRANT),
    ("PUT", "/v3/grants/{grant_id}/calendars/{calendar_id}"): Entry(
        GRANT, body=lambda w, i: {"name": "Renamed"}
    ),
    ("DELETE", "/v3/grants/{grant_id}/calendars/{calendar_id}"): Entry(GRANT),
    ("GET", "/v3/grants/{grant_id}/events"): Entry(GRANT, query=_calendar_query),
    ("GET", "/v3/grants/{grant_id}/events/import"): Entry(
        GRANT, query=lambda w: {**_calendar_query(w), **_window(w)}
    ),
    ("POST", "/v3/grants/{grant_id}/events"): Entry(
        GRANT,
        query=_calendar_query,
        body=lambda w, i: {"title": "x", "when": {"start_time": w.slot, "end_time": w.slot + 60}},
    ),
    ("GET", "/v3/grants/{grant_id}/events/{event_id}"): Entry(GRANT, query=_calendar_query),
    ("PUT", "/v3/grants/{grant_id}/events/{event_id}"): Entry(
        GRANT, query=_calendar_query, body=lambda w, i: {"title": "Moved"}
    ),
    ("DELETE", "/v3/grants/{grant_id}/events/{event_id}"): Entry(GRANT, query=_calendar_query),
    ("POST", "/v3/grants/{grant_id}/events/{event_id}/send-rsvp"): Entry(
        GRANT, query=_calendar_query, body=lambda w, i: {"status": "yes"}
    ),
    ("POST", "/v3/calendars/availability"): Entry(
        ADMIN,
        body=lambda w, i: {
            **_window(w),
            "duration_minutes": 30,
            "participants": [{"email": w.email}],
        },
    ),
    ("POST", "/v3/calendars/availability/explain"): Entry(
        ADMIN,
        body=lambda w, i: {
            **_window(w),
            "duration_minutes": 30,
            "participants": [{"email": w.email}],
            "times": [w.slot],
        },
    ),
    ("POST", "/calendars/free-busy"): Entry(
        ADMIN, body=lambda w, i: {**_window(w), "emails": [w.email]}
    ),
    ("POST", "/calendars/availability"): Entry(
        ADMIN,
        body=lambda w, i: {
            **_window(w),
            "duration_minutes": 30,
            "interval_minutes": 30,
            "emails": [w.email],
            "free_busy": [],
        },
    ),
    ("POST", "/calendars/availability/consecutive"): Entry(
        ADMIN,
        body=lambda w, i: {
            **_window(w),
            "duration_minutes": 30,
            "interval_minutes": 30,
            "emails": [[w.email]],
            "free_busy": [],
        },
    ),
    ("GET", "/v3/grants/{grant}/scheduling/configurations"): Entry(GRANT),
    ("POST", "/v3/grants/{grant}/scheduling/configurations"): Entry(GRANT, body=_config_create),
    ("GET", "/v3/grants/{grant}/scheduling/configurations/{configuration_id}"): Entry(GRANT),
    ("PUT", "/v3/grants/{grant}/scheduling/configurations/{configuration_id}"): Entry(
        GRANT, body=lambda w, i: {"scheduler": {"min_booking_notice": 0}}
    ),
    ("DELETE", "/v3/grants/{grant}/scheduling/configurations/{configuration_id}"): Entry(GRANT),
    ("GET", f"{_GROUP}/group-events"): Entry(GRANT, path=_group_path),
    ("POST", f"{_GROUP}/group-events"): Entry(GRANT, path=_group_path, body=_group_event),
    ("GET", f"{_GROUP}/group-events/{{event_id}}"): Entry(GRANT, path=_group_event_path),
    ("PATCH", f"{_GROUP}/group-events/{{event_id}}"): Entry(
        GRANT, path=_group_event_path, body=lambda w, i: {"title": "Renamed", "capacity": 9}
    ),
    ("PUT", f"{_GROUP}/group-events/{{event_id}}"): Entry(
        GRANT, path=_group_event_path, body=lambda w, i: {"description": "Changed"}
    ),
    ("DELETE", f"{_GROUP}/group-events/{{event_id}}"): Entry(GRANT, path=_group_event_path),
    ("POST", f"{_GROUP}/import-group-events"): Entry(
        GRANT,
        path=_group_path,
        body=lambda w, i: {"event_id": w.event, "calendar_id": w.calendar, "capacity": 3},
    ),
    (
        "POST",
        "/v3/scheduling/configurations/{configuration_id}/group-events/validate-timeslot",
    ): Entry(ADMIN, path=_group_path, body=lambda w, i: w.group_slot),
    ("POST", "/v3/scheduling/sessions"): Entry(
        ADMIN, body=lambda w, i: {"configuration_id": w.config["id"]}
    ),
    ("DELETE", "/v3/scheduling/sessions/{session_id}"): Entry(ADMIN),
    ("GET", "/v3/scheduling/availability"): Entry(
        SCHEDULING, query=lambda w: {**_config_query(w), **_window(w)}
    ),
    ("GET", "/v3/scheduling/availability/explain"): Entry(
        SCHEDULING, query=lambda w: {**_config_query(w), "start_time": w.slot}
    ),
    ("GET", "/v3/scheduling/ui-settings"): Entry(SCHEDULING, query=_config_query),
    ("POST", "/v3/scheduling/bookings"): Entry(SCHEDULING, query=_config_query, body=_new_booking),
    ("GET", "/v3/scheduling/bookings/{booking_id}"): Entry(SCHEDULING, query=_config_query),
    # Confirming takes the organizer's salt; the session holder is the guest side (400).
    ("PUT", "/v3/scheduling/bookings/{booking_id}"): Entry(
        ADMIN,
        query=_config_query,
        body=lambda w, i: {
            "status": "confirmed",
            "salt": decode_booking_ref(w.guest_ref).salt,  # type: ignore[union-attr]
        },
    ),
    ("PATCH", "/v3/scheduling/bookings/{booking_id}"): Entry(
        SCHEDULING,
        query=_config_query,
        body=lambda w, i: {"start_time": w.slot, "end_time": w.slot + 1800},
    ),
    ("DELETE", "/v3/scheduling/bookings/{booking_id}"): Entry(
        SCHEDULING, query=_config_query, body=lambda w, i: {}
    ),
    ("POST", "/v3/scheduling/holds"): Entry(
        SCHEDULING,
        query=_config_query,
        body=lambda w, i: {**_new_booking(w, i), "email": f"holder{i}@example.com"},
    ),
    ("DELETE", "/v3/scheduling/holds/{hold_id}"): Entry(
        SCHEDULING, query=_config_query, body=lambda w, i: {"hold_secret": w.hold_secret}
    ),
    ("GET", "/v3/grants/{grant_id}/scheduling/limits"): Entry(ADMIN),
    ("PUT", "/v3/grants/{grant_id}/scheduling/limits"): Entry(
        ADMIN, body=lambda w, i: {"booking_limits": {"per_day": 5}}
    ),
    ("GET", "/v3/webhooks"): Entry(ADMIN),
    # The destination must answer a challenge; nothing listens there, so this is a 4xx for all.
    ("POST", "/v3/webhooks"): Entry(
        NOBODY,
        body=lambda w, i: {
            "trigger_types": ["booking.created"],
            "webhook_url": "http://127.0.0.1:9/",
        },
    ),
    ("GET", "/v3/webhooks/ip-addresses"): Entry(ADMIN),
    ("GET", "/v3/webhooks/{webhook_id}"): Entry(ADMIN),
    ("PUT", "/v3/webhooks/{webhook_id}"): Entry(ADMIN, body=lambda w, i: {"description": "x"}),
    ("DELETE", "/v3/webhooks/{webhook_id}"): Entry(ADMIN),
    ("PUT", "/v3/webhooks/{webhook_id}/rotate-secret"): Entry(ADMIN, body=lambda w, i: {}),
    ("POST", "/v3/webhooks/rotate-secret/{webhook_id}"): Entry(ADMIN, body=lambda w, i: {}),
    ("GET", "/v3/webhooks/{webhook_id}/deliveries"): Entry(ADMIN),
    # No such delivery: a 404 for the API key too.
    ("POST", "/v3/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): Entry(NOBODY),
    # Hosted pages: a private configuration has none; the path's ref is the credential.
    ("GET", "/book/{name}"): Entry(NOBODY),
    ("POST", "/book/{name}"): Entry(
        NOBODY,
        form=True,
        body=lambda w, i: {"start": str(w.slot), "guest_name": "G", "guest_email": "g@x.io"},
    ),
    # The organizer's explanation of a day: the API key or this configuration's session only.
    ("GET", "/book/{name}/explain"): Entry(SCHEDULING),
    ("POST", "/book/{name}/explain"): Entry(SCHEDULING, form=True, body=lambda w, i: {"date": ""}),
    ("GET", "/bookings/{ref}"): Entry(frozenset({"ref_this"})),
    ("GET", "/bookings/{ref}/calendar.ics"): Entry(frozenset({"ref_this"})),
    ("POST", "/bookings/{ref}/reschedule"): Entry(
        frozenset({"ref_this"}), form=True, body=lambda w, i: {"start": str(w.slot)}
    ),
    ("POST", "/bookings/{ref}/cancel"): Entry(
        frozenset({"ref_this"}), form=True, body=lambda w, i: {"reason": "x"}
    ),
    ("GET", "/scheduling/organizer-confirmation/{ref}"): Entry(frozenset({"organizer_ref"})),
    ("POST", "/scheduling/organizer-confirmation/{ref}"): Entry(
        frozenset({"organizer_ref"}), form=True, body=lambda w, i: {"action": "confirm"}
    ),
    # A grant's access tokens are issued and revoked with the API key only (not by a token).
    ("GET", "/v3/grants/{grant}/access-tokens"): Entry(ADMIN),
    ("POST", "/v3/grants/{grant}/access-tokens"): Entry(ADMIN),
    ("DELETE", "/v3/grants/{grant}/access-tokens/{token_id}"): Entry(ADMIN),
    # v2 Scheduling Pages (pages/access.py): an edit_token reaches its page only, an access token
    # the pages of its account; another's are a 404, as for an id that does not exist.
    ("GET", "/manage/pages"): Entry(PAGE, filtered=frozenset({"token_other", "edit_token_other"})),
    # The body's access_tokens name the page's accounts: holding B's token is enough to put B
    # on a page, whichever account's token is the caller; an edit_token creates nothing.
    ("POST", "/manage/pages"): Entry(
        frozenset({"api_key", "token_this", "token_other"}),
        body=lambda w, i: {
            **page_body(Account(w.grant, w.email, w.token_this), slug=f"new-{next(_counter)}"),
        },
    ),
    ("GET", "/manage/pages/{page_id}"): Entry(PAGE),
    ("PUT", "/manage/pages/{page_id}"): Entry(PAGE, body=lambda w, i: {"name": "Renamed"}),
    ("DELETE", "/manage/pages/{page_id}"): Entry(PAGE),
    ("GET", "/manage/pages/{page_id}/calendars"): Entry(PAGE),
    ("PUT", "/manage/pages/{page_id}/upload-image"): Entry(
        PAGE, body=lambda w, i: {"contentType": "image/png", "objectName": "logo.png"}
    ),
    ("GET", "/manage/pages/{page_id}/bookings"): Entry(PAGE),
    ("POST", "/manage/pages/{page_id}/bookings/{booking_id}/confirm"): Entry(
        PAGE, path=lambda w: {"booking_id": w.page_booking}
    ),
    ("POST", "/manage/pages/{page_id}/bookings/{booking_id}/cancel"): Entry(
        PAGE, path=lambda w: {"booking_id": w.page_booking}, body=lambda w, i: {"reason": "x"}
    ),
    # The signed URL's upload token is the only credential for an upload; none here has it.
    ("PUT", "/page-images/{image_id}"): Entry(
        NOBODY, path=lambda w: {"image_id": w.pending_image}, body=lambda w, i: {}
    ),
    ("GET", "/page-images/{image_id}"): Entry(EVERYONE, path=lambda w: {"image_id": w.image}),
    # A page's public face: anyone reads and books it; the edit_hash cancels.
    ("GET", "/schedule/{slug}/info"): Entry(EVERYONE),
    ("GET", "/schedule/{slug}/timeslots"): Entry(EVERYONE),
    ("POST", "/schedule/{slug}/timeslots"): Entry(
        EVERYONE, body=lambda w, i: booking_request(w.page_slots[i])
    ),
    ("POST", "/schedule/{slug}/{edit_hash}/cancel"): Entry(
        frozenset({"ref_this"}), body=lambda w, i: {"reason": "x"}
    ),
    # Confirming takes the real edit_hash AND a credential reaching the page: the guest holds
    # the edit_hash too, and must not confirm their own booking.
    ("POST", "/schedule/{slug}/{edit_hash}/confirm"): Entry(
        PAGE, path=lambda w: {"edit_hash": w.edit_hash}
    ),
    # The application and its redirect URIs are the operator's.
    ("GET", "/v3/applications"): Entry(ADMIN),
    ("GET", "/v3/applications/redirect-uris"): Entry(ADMIN),
    ("POST", "/v3/applications/redirect-uris"): Entry(
        ADMIN,
        body=lambda w, i: {"url": f"https://app.example/cb{next(_counter)}", "platform": "web"},
    ),
    ("GET", "/v3/applications/redirect-uris/{redirect_uri_id}"): Entry(ADMIN),
    ("PUT", "/v3/applications/redirect-uris/{redirect_uri_id}"): Entry(
        ADMIN, body=lambda w, i: {"platform": "web"}
    ),
    ("PATCH", "/v3/applications/redirect-uris/{redirect_uri_id}"): Entry(
        ADMIN, body=lambda w, i: {"platform": "web"}
    ),
    ("DELETE", "/v3/applications/redirect-uris/{redirect_uri_id}"): Entry(ADMIN),
    # Hosted authentication: the presented code, token or sign-in attempt is the credential,
    # and none of the kinds holds one (tests/hosted has the flows that do).
    ("GET", "/v3/connect/auth"): Entry(NOBODY),
    ("POST", "/v3/connect/auth/email"): Entry(
        NOBODY, form=True, body=lambda w, i: {"attempt": "swsi_x", "email": w.email}
    ),
    ("POST", "/v3/connect/auth/code"): Entry(
        NOBODY, form=True, body=lambda w, i: {"attempt": "swsi_x", "code": "123456"}
    ),
    ("POST", "/v3/connect/auth/calendar"): Entry(
        NOBODY,
        form=True,
        body=lambda w, i: {"attempt": "swsi_x", "provider": "caldav", "email": w.email},
    ),
    ("POST", "/v3/connect/token"): Entry(
        NOBODY,
        body=lambda w, i: {
            "grant_type": "authorization_code",
            "client_id": "slotwise",
            "code": "swac_x",
            "redirect_uri": "https://app.example/cb",
            "code_verifier": "v" * 43,
        },
    ),
    # tokeninfo tells the holder of a token what it is; the header plays no part.
    ("GET", "/v3/connect/tokeninfo"): Entry(
        EVERYONE, query=lambda w: {"access_token": w.token_this}
    ),
    ("POST", "/v3/connect/revoke"): Entry(EVERYONE, query=lambda w: {"token": "swat_unknown"}),
    ("GET", "/.well-known/jwks.json"): Entry(EVERYONE),
    # The Schedule Editor's files are static; they hold no credential.
    ("GET", "/schedule-editor/v1.0/editor"): Entry(EVERYONE),
    ("GET", "/schedule-editor/v1.0/schedule-editor.js"): Entry(EVERYONE),
}


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD goes with GET; docs left out)."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's included-router wrapper
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif hasattr(route, "methods") and hasattr(route, "path"):
                for method in route.methods or ():
                    found.add((method, prefix + route.path))
            elif hasattr(route, "routes") and not hasattr(route, "app"):
                walk(route.routes, prefix + getattr(route, "path", ""))

    walk(route_app().routes, "")
    docs = {"/openapi.json", "/docs", "/redoc"}
    return {(m, p) for m, p in found if m != "HEAD" and p not in docs}


def test_every_route_has_an_entry() -> None:
    routes = app_routes()
    assert len(routes) > 40  # the walk found the app's routes
    assert routes - set(ROUTES) == set(), "add these routes to the matrix"
    assert set(ROUTES) - routes == set(), "these entries name no route"


def _credentials(kind: str, w: World) -> tuple[dict[str, Any], str, str]:
    """(headers, the ref a hosted path carries, the edit_hash a page path carries)."""
    forged = encode_booking_ref(w.config["id"], w.booking, new_salt())
    bearer = {
        "api_key": API_KEY,
        "session_this": w.session_this,
        "session_other": w.session_other,
        "ref_this": w.guest_ref,
        "ref_other": w.foreign_ref,
        "organizer_ref": w.organizer_ref,
        "edit_token_this": w.edit_token_this,
        "edit_token_other": w.edit_token_other,
        "token_this": w.token_this,
        "token_other": w.token_other,
        "token_revoked": w.token_revoked,
    }.get(kind)
    headers: dict[str, Any] = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    if kind == "garbage":
        headers = {"Authorization": b"Bearer \xff\xe9t\xe9 garbage"}  # not ASCII
    ref = {
        "ref_this": w.guest_ref,
        "ref_other": w.foreign_ref,
        "organizer_ref": w.organizer_ref,
        "garbage": "%E2%80%AE" + "A" * 40,
    }.get(kind, forged)
    edit_hash = {
        "ref_this": w.edit_hash,
        "ref_other": w.guest_ref,  # a real capability, of another booking
        "garbage": "%E2%80%AE" + "A" * 40,
    }.get(kind, new_salt())
    return headers, ref, edit_hash


def _path(template: str, w: World, ref: str, edit_hash: str, fixed: dict[str, Any]) -> str:
    params: dict[str, Any] = dict(
        page_id=w.page_id,
        token_id=w.spare_token,
        image_id=new_id(),
        slug=w.page_slug,
        edit_hash=edit_hash,
        grant_id=w.grant,
        grant=w.grant,
        calendar_id=w.second_calendar,
        event_id=w.event,
        configuration_id=w.config["id"],
        session_id=w.session_this,
        booking_id=w.booking,
        webhook_id=w.webhook,
        delivery_id=new_id(),
        redirect_uri_id=w.redirect_uri,
        name=w.config["slug"],
        ref=ref,
        hold_id=w.hold_id,
    )
    return template.format(**{**params, **fixed})


def _snapshot(db: Database) -> dict[str, list[str]]:
    with db.session(write=False) as session:
        return {
            name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for name, table in Base.metadata.tables.items()
            if name in WATCHED
        }


def _call(
    client: httpx.Client, method: str, template: str, entry: Entry, w: World, kind: str, i: int
) -> httpx.Response:
    headers, ref, edit_hash = _credentials(kind, w)
    body = entry.body(w, i)
    request: dict[str, Any] = {"params": entry.query(w), "headers": headers}
    if body is not None:
        request["data" if entry.form else "json"] = body
    return client.request(method, _path(template, w, ref, edit_hash, entry.path(w)), **request)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES), ids=lambda v: str(v))
def test_nothing_crosses(
    server: LiveServer, api: httpx.Client, db: Database, method: str, path: str
) -> None:
    entry = ROUTES[(method, path)]
    world = build_world(api, db)
    with http_client(base_url=server.url, timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
        before = _snapshot(db)
        for i, kind in enumerate(k for k in KINDS if k in entry.filtered):
            response = _call(client, method, path, entry, world, kind, i)
            assert response.status_code == 200, (kind, response.status_code, response.text)
            assert world.page_id not in {p["id"] for p in response.json()}, f"{kind} saw B's page"
            assert world.edit_token_this not in response.text, kind
        refused = (k for k in KINDS if k not in entry.allowed | entry.filtered)
        for i, kind in enumerate(refused):
            response = _call(client, method, path, entry, world, kind, i)
            assert 400 <= response.status_code < 500, (kind, response.status_code, response.text)
            if path == "/v3/connect/token":  # RFC 6749's error shape
                assert isinstance(response.json()["error"], str), (kind, response.text)
            elif not path.startswith(("/book", "/scheduling/organizer", "/v3/connect/auth")):
                assert response.json()["error"]["type"], (kind, response.text)
            assert _snapshot(db) == before, f"{kind} changed something"
        for i, kind in enumerate(k for k in KINDS if k in entry.allowed):
            if i and method != "GET":
                world = build_world(api, db)  # the first allowed call may have used it up
            response = _call(client, method, path, entry, world, kind, i)
            assert response.status_code < 400, (kind, response.status_code, response.text)

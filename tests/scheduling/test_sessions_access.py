"""Sessions (reference §4.1) and who reaches a configuration (§1.7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from slotwise.db.engine import Database
from slotwise.db.models import SchedulingSession
from slotwise.scheduling.repository import session_token_hash
from tests.support.scheduling import config_body, create_config, make_grant, participant
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT


@pytest.fixture
def configs(api: httpx.Client, db: Database) -> dict[str, dict]:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    people = [participant("ada@example.com", calendar_id, organizer=True)]
    return {
        "private": create_config(
            api, grant_id, config_body(people, requires_session_auth=True, slug="private-page")
        ),
        "other_private": create_config(
            api, grant_id, config_body(people, requires_session_auth=True)
        ),
        "public": create_config(api, grant_id, config_body(people, slug="public-page")),
    }


def _session(api: httpx.Client, **body: Any) -> str:
    response = api.post("/v3/scheduling/sessions", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["session_id"])


def _ui(server: LiveServer, token: str | None = None, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(
        server.url + "/v3/scheduling/ui-settings",
        params=params,
        headers=headers,
        timeout=HTTP_TIMEOUT,
    )


def test_session_time_to_live_limits(api: httpx.Client, configs: dict[str, dict]) -> None:
    cid = configs["private"]["id"]
    _session(api, configuration_id=cid)
    _session(api, configuration_id=cid, time_to_live=30)
    for ttl in (31, 0, -1, "ten"):
        response = api.post(
            "/v3/scheduling/sessions", json={"configuration_id": cid, "time_to_live": ttl}
        )
        assert response.status_code == 400, ttl
        assert response.json()["error"]["message"].startswith("time_to_live")
    assert api.post("/v3/scheduling/sessions", json={}).status_code == 400
    missing = api.post("/v3/scheduling/sessions", json={"configuration_id": "nope"})
    assert missing.status_code == 404


def test_session_by_slug_and_needs_api_key(
    api: httpx.Client, server: LiveServer, configs: dict[str, dict]
) -> None:
    token = _session(api, slug="private-page")
    assert _ui(server, token).json()["data"]["configuration_id"] == configs["private"]["id"]
    anonymous = httpx.post(
        server.url + "/v3/scheduling/sessions",
        json={"configuration_id": configs["private"]["id"]},
        timeout=HTTP_TIMEOUT,
    )
    assert anonymous.status_code == 401


def test_private_configuration_needs_its_session(
    api: httpx.Client, server: LiveServer, configs: dict[str, dict]
) -> None:
    private = configs["private"]["id"]
    assert _ui(server, configuration_id=private).status_code == 401
    token = _session(api, configuration_id=private)
    response = _ui(server, token)
    assert response.status_code == 200
    assert response.json()["data"]["configuration_id"] == private
    # The same session cannot open another configuration, private or public.
    for other in (configs["other_private"]["id"], configs["public"]["id"]):
        assert _ui(server, token, configuration_id=other).status_code in {401, 403}


def test_deleted_and_expired_sessions_are_refused(
    api: httpx.Client, server: LiveServer, db: Database, configs: dict[str, dict]
) -> None:
    private = configs["private"]["id"]
    token = _session(api, configuration_id=private)
    response = api.delete(f"/v3/scheduling/sessions/{token}")
    assert response.status_code == 200
    assert set(response.json()) == {"request_id"}
    refused = _ui(server, token)
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "invalid_session"
    assert api.delete(f"/v3/scheduling/sessions/{token}").status_code == 404

    expired = _session(api, configuration_id=private)
    with db.session() as session:
        session.execute(
            update(SchedulingSession)
            .where(SchedulingSession.token_hash == session_token_hash(expired))
            .values(expires_at=1)
        )
    refused = _ui(server, expired)
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "invalid_session"


def test_public_configuration_by_id_or_slug(
    api: httpx.Client, server: LiveServer, configs: dict[str, dict]
) -> None:
    public = configs["public"]["id"]
    data = _ui(server, configuration_id=public).json()["data"]
    assert data["configuration_id"] == public
    client_id = data["app_client_id"]
    by_slug = _ui(server, slug="public-page", client_id=client_id)
    assert by_slug.json()["data"]["configuration_id"] == public
    assert _ui(server, slug="public-page", client_id="someone-else").status_code == 404
    assert _ui(server).status_code == 400
    assert _ui(server, configuration_id="00000000-0000-4000-8000-000000000000").status_code == 404


def test_api_key_reaches_private_configurations(
    api: httpx.Client, configs: dict[str, dict]
) -> None:
    private = configs["private"]["id"]
    response = api.get("/v3/scheduling/ui-settings", params={"configuration_id": private})
    assert response.status_code == 200


def test_scheduling_routes_answer_cors_preflights(
    api: httpx.Client, configs: dict[str, dict]
) -> None:
    for method, path in [
        ("GET", "/v3/scheduling/ui-settings"),
        ("GET", "/v3/scheduling/availability"),
        ("POST", "/v3/scheduling/bookings"),
        ("PATCH", "/v3/scheduling/bookings/x"),
        ("DELETE", "/v3/scheduling/bookings/x"),
        ("PUT", "/v3/scheduling/bookings/x"),
    ]:
        response = api.options(
            path,
            headers={
                "Origin": "http://127.0.0.1:9999",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": (
                    "content-type,x-source,x-nylas-web-elements-version,"
                    "x-nylas-application-public-id,authorization"
                ),
            },
        )
        assert response.status_code == 200, (method, path)
        assert response.headers["access-control-allow-origin"] in {"*", "http://127.0.0.1:9999"}
        assert method in response.headers["access-control-allow-methods"]

"""Clients connecting the same email at once get one grant, and no 500s."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import API_KEY
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


def _connect(server: LiveServer, email: str) -> int:
    body = {"provider": "virtual-calendar", "settings": {"email": email}}
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with http_client(base_url=server.url, headers=headers, timeout=HTTP_TIMEOUT) as client:
        response = client.post("/v3/connect/custom", json=body)
        assert response.status_code == 200, response.text
        return response.status_code


def test_racing_connects_of_one_email(server: LiveServer, api: httpx.Client) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: _connect(server, "same@example.com"), range(8)))
    grants = api.get("/v3/grants", params={"email": "same@example.com"}).json()["data"]
    assert len(grants) == 1
    calendars = api.get(f"/v3/grants/{grants[0]['id']}/calendars").json()["data"]
    assert [c["is_primary"] for c in calendars] == [True]

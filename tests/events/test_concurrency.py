"""Many clients changing the same events at once: no 500s, no lost or doubled instances."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.conftest import API_KEY
from tests.support.factories import connect, create_event, list_events
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT

T0 = 1_780_041_600
DAY = 86_400


def _call(server: LiveServer, method: str, url: str, **kwargs: Any) -> int:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with http_client(base_url=server.url, headers=headers, timeout=HTTP_TIMEOUT) as client:
        response = client.request(method, url, **kwargs)
        assert response.status_code < 500, response.text
        return response.status_code


def test_racing_writes_to_instances_of_one_series(server: LiveServer, api: httpx.Client) -> None:
    grant = connect(api, "avery@example.com")
    master = create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + 1800},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=12"],
        },
    )
    window = {"start": T0 - DAY, "end": T0 + 20 * DAY}
    instances = list_events(api, grant["id"], **window)
    url = f"/v3/grants/{grant['id']}/events"
    q = {"calendar_id": "primary"}
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    for k in range(4):
        for j in range(4):
            jobs.append(("PUT", f"{url}/{instances[k]['id']}", {"json": {"title": f"t{j}"}}))
        jobs.append(("DELETE", f"{url}/{instances[k + 4]['id']}", {}))
        jobs.append(("DELETE", f"{url}/{instances[k + 4]['id']}", {}))
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda j: _call(server, j[0], j[1], params=q, **j[2]), jobs))
    assert set(codes) <= {200, 404}
    after = list_events(api, grant["id"], **window)
    ids = [e["id"] for e in after]
    assert len(ids) == len(set(ids)) == 12 - 4
    assert {e["title"] for e in after[:4]} <= {"t0", "t1", "t2", "t3"}
    assert all(e.get("master_event_id") == master["id"] for e in after)

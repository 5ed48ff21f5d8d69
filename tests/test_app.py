"""The envelope conventions every response follows (reference §1 and §10)."""

from __future__ import annotations

import gc

import httpx

from slotwise.app import YOUNG_COLLECTION_THRESHOLD, settle_heap


def test_health_envelope_and_request_id(api: httpx.Client) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"status": "ok"}
    assert response.headers["x-request-id"] == body["request_id"]


def test_unknown_path_is_a_json_404(api: httpx.Client) -> None:
    response = api.get("/v3/nothing-here")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["type"] == "not_found_error"
    assert response.headers["x-request-id"] == body["request_id"]


def test_double_slash_is_collapsed(api: httpx.Client) -> None:
    # An SDK api_uri with a trailing slash produces paths like //v3/...
    response = api.get(f"{api.base_url}//healthz".replace("healthz/", "healthz"))
    assert response.status_code == 200


def test_cors_preflight_allows_web_component_headers(api: httpx.Client) -> None:
    response = api.options(
        "/healthz",
        headers={
            "Origin": "http://127.0.0.1:9999",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "content-type,x-source,authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in {"*", "http://127.0.0.1:9999"}


def test_unknown_path_outside_v3_uses_the_same_envelope(api: httpx.Client) -> None:
    for path in ("/nothing-here", "/v2/whatever", "/docs/nothing"):
        response = api.get(path)
        assert response.status_code == 404, path
        body = response.json()
        # One message, inside `error`, as under /v3/ (no top-level copy).
        assert set(body) == {"request_id", "error"}, body
        assert body["error"]["type"] == "not_found_error"
        assert path in body["error"]["message"]


def test_v2_faces_keep_their_top_level_message(api: httpx.Client) -> None:
    # The v2 clients read `message` at the top level of an error.
    body = api.get("/manage/pages/no-such-page").json()
    assert body["message"] == body["error"]["message"] and body["type"]


def test_a_served_process_settles_its_heap() -> None:
    """`slotwise serve`'s start-up freezes what it built and collects the young generation
    less often (app.settle_heap); restored here, since this process is the test run's."""
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
        assert before[0] < YOUNG_COLLECTION_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

"""The envelope conventions every response follows (reference §1 and §10)."""

from __future__ import annotations

import httpx


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

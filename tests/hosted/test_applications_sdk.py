"""The application and its redirect URIs through the official Python SDK (admin API key)."""

from __future__ import annotations

import httpx
import pytest
from nylas import Client
from nylas.models.errors import NylasApiError

from tests.conftest import API_KEY
from tests.support.server import LiveServer

pytestmark = pytest.mark.sdk


@pytest.fixture
def nylas(server: LiveServer) -> Client:
    return Client(api_key=API_KEY, api_uri=server.url)


def test_redirect_uris_crud(nylas: Client) -> None:
    uris = nylas.applications.redirect_uris
    created = uris.create(
        request_body={
            "url": "https://app.example/callback",
            "platform": "web",
            "settings": {"origin": "https://app.example"},
        }
    ).data
    assert created.url == "https://app.example/callback" and created.platform == "web"
    assert created.settings is not None and created.settings.origin == "https://app.example"
    assert [u.id for u in uris.list().data] == [created.id]
    assert uris.find(redirect_uri_id=created.id).data.url == created.url
    updated = uris.update(
        redirect_uri_id=created.id,
        request_body={"url": "https://app.example/cb2", "platform": "web"},
    ).data
    assert updated.url == "https://app.example/cb2"
    assert updated.settings is not None and updated.settings.origin == "https://app.example"
    info = nylas.applications.info().data
    assert info.application_id == "slotwise"
    assert [u.url for u in info.callback_uris or []] == ["https://app.example/cb2"]
    uris.destroy(redirect_uri_id=created.id)
    assert uris.list().data == []
    with pytest.raises(NylasApiError) as missing:
        uris.find(redirect_uri_id=created.id)
    assert missing.value.status_code == 404


def test_bad_redirect_uris_are_refused_naming_the_field(api: httpx.Client) -> None:
    for body, field in (
        ({"url": "not a url", "platform": "web"}, "url"),
        ({"url": "https://a.example/cb#x", "platform": "web"}, "url"),
        ({"url": "https://a.example/cb", "platform": "tv"}, "platform"),
        (
            {"url": "https://a.example/cb", "platform": "web", "settings": {"origin": "x"}},
            "settings.origin",
        ),
        ({"platform": "web"}, "url"),
    ):
        refused = api.post("/v3/applications/redirect-uris", json=body)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["message"].startswith(field), refused.text
    ok = {"url": "https://a.example/cb", "platform": "web"}
    assert api.post("/v3/applications/redirect-uris", json=ok).status_code == 200
    assert api.post("/v3/applications/redirect-uris", json=ok).status_code == 409

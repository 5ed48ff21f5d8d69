"""Edge cases found by trying /v3/webhooks and delivery the way a new operator would."""

from __future__ import annotations

import httpx
import pytest

from tests.webhooks.receiver import Receiver


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/hook", "http://127.0.0.1:port/hook"]
)
def test_malformed_urls_are_refused_not_500(
    api: httpx.Client, receiver: Receiver, url: str
) -> None:
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": url}
    )
    assert response.status_code == 400, response.text
    assert "webhook_url" in response.json()["error"]["message"]
    created = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
    ).json()["data"]
    response = api.put(f"/v3/webhooks/{created['id']}", json={"webhook_url": url})
    assert response.status_code == 400, response.text
    assert receiver.challenges == 1

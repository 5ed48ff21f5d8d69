"""Strings no database can store (NUL, lone surrogates) are a 400 naming the field, however the
body spells them: the plain-body fast path of `api.deps.json_body` must not let one through."""

from __future__ import annotations

import json

import httpx
import pytest

URL = "/v3/calendars/availability"


def _body(email: str) -> dict[str, object]:
    return {
        "start_time": 1_700_000_000,
        "end_time": 1_700_003_600,
        "duration_minutes": 30,
        "participants": [{"email": email}],
    }


def _post(api: httpx.Client, content: bytes) -> httpx.Response:
    return api.post(URL, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        # A \u escape, in a value and in a key.
        (json.dumps(_body("a\u0000@example.com")).encode(), "NUL"),
        (json.dumps(_body("a\ud800@example.com")).encode(), "not valid Unicode"),
        (json.dumps({**_body("a@example.com"), "x\u0000": 1}).encode(), "NUL"),
        # A surrogate written as raw bytes (json.loads reads them through).
        (json.dumps(_body("a@example.com")).encode().replace(b"a@", b"\xed\xa0\x80@"), "Unicode"),
        # UTF-16 (json.loads detects it): no escape at all.
        (json.dumps(_body("a\x00@example.com"), ensure_ascii=False).encode("utf-16"), "NUL"),
    ],
)
def test_unstorable_text_is_refused_however_spelled(
    api: httpx.Client, content: bytes, problem: str
) -> None:
    response = _post(api, content)
    assert response.status_code == 400, response.text
    assert problem in response.json()["error"]["message"]


def test_plain_non_ascii_text_is_read_as_sent(api: httpx.Client) -> None:
    response = _post(api, json.dumps(_body("zoë@example.com"), ensure_ascii=False).encode())
    assert response.status_code == 400  # no grant has it: the email itself came through
    assert "zoë@example.com has no grant" in response.json()["error"]["message"]

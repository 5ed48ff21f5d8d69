"""`/`: a small page saying what this server is, or JSON for a client that asks for JSON."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from slotwise import __version__
from slotwise.db.engine import Database
from slotwise.demo import seed_demo, seed_demo_page
from slotwise.web.home import wants_json
from slotwise.web.render import SECURITY_HEADERS


def test_home_page_links_docs_and_health(web: httpx.Client) -> None:
    response = web.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert (
        response.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    )
    page = response.text
    assert "Slotwise" in page and __version__ in page
    for link in ('href="/docs"', 'href="/redoc"', 'href="/openapi.json"', 'href="/healthz"'):
        assert link in page
    assert "/book/demo" not in page  # no demo loaded


def test_home_links_the_demo_page_when_it_is_loaded(web: httpx.Client, db: Database) -> None:
    with db.session() as session:
        seed_demo_page(session, seed_demo(session, date.today()))
    assert 'href="/book/demo"' in web.get("/").text
    data = web.get("/", headers={"Accept": "application/json"}).json()["data"]
    assert data["demo_booking_page_url"] == "/book/demo"
    assert web.get("/book/demo").status_code == 200  # the link works


def test_json_clients_get_json(web: httpx.Client) -> None:
    response = web.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["data"]["name"] == "Slotwise"
    assert body["data"]["version"] == __version__
    assert body["data"]["docs_url"] == "/docs"
    assert body["data"]["health_url"] == "/healthz"
    assert body["data"]["demo_booking_page_url"] is None


def test_head_answers_without_a_body(web: httpx.Client) -> None:
    response = web.head("/")
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("application/json", True),
        ("application/json, text/plain, */*", True),  # what JavaScript clients send
        ("application/problem+json", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("*/*", False),
        ("", False),
        ("text/html;q=0.5, application/json;q=0.9", True),
        ("application/json;q=0.1, text/html", False),
        ("application/json;q=bogus", False),
        ("application/json;q=7", True),  # clamped to 1
    ],
)
def test_accept_negotiation(accept: str, json: bool) -> None:
    assert wants_json(accept) is json

"""Fixtures for provider tests: a Radicale server, fresh accounts on it, sync policy knobs."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from slotwise.providers.policy import POLICY
from tests.support.radicale import Radicale


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()


@dataclass
class Account:
    server: Radicale
    user: str
    password: str
    path: str  # the calendar's path, e.g. /u1234/work/

    @property
    def email(self) -> str:
        return f"{self.user}@example.com"

    def connect_body(self, **settings: str) -> dict:
        return {
            "provider": "caldav",
            "settings": {
                "email": self.email,
                "url": self.server.url + "/",
                "username": self.user,
                "password": self.password,
                **settings,
            },
        }

    def client(self) -> httpx.Client:
        return self.server.client(self.user, self.password)

    def put(self, name: str, ics: str) -> None:
        with self.client() as client:
            response = client.put(
                self.path + name, content=ics.encode(), headers={"Content-Type": "text/calendar"}
            )
            assert response.status_code in (201, 204), response.text

    def delete(self, name: str) -> None:
        with self.client() as client:
            assert client.delete(self.path + name).status_code in (200, 204)

    def objects(self) -> dict[str, str]:
        """Every object in the calendar: href -> iCalendar text."""
        with self.client() as client:
            response = client.request("PROPFIND", self.path, headers={"Depth": "1"})
            assert response.status_code == 207
            root = ET.fromstring(response.content)
            hrefs = [h.text for h in root.iter("{DAV:}href") if h.text and h.text.endswith(".ics")]
            return {h: client.get(h).text for h in hrefs}


@pytest.fixture
def account(radicale: Radicale) -> Account:
    user = "u" + secrets.token_hex(4)
    password = secrets.token_hex(8)
    radicale.add_user(user, password)
    path = radicale.mkcalendar(user, password, "work", "Work")
    return Account(radicale, user, password, path)


@pytest.fixture
def own_radicale(tmp_path: Path) -> Iterator[Radicale]:
    """A Radicale server of the test's own, which it may stop."""
    folder = tmp_path / "own-radicale"
    folder.mkdir()
    server = Radicale(folder).start()
    yield server
    server.stop()


@pytest.fixture
def always_sync() -> Iterator[None]:
    """Every read refreshes remote calendars (no staleness allowance)."""
    before = POLICY.sync_seconds
    POLICY.sync_seconds = 0
    yield
    POLICY.sync_seconds = before


def vcalendar(*vevents: str, timezone: str | None = None) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//EN"]
    for vevent in vevents:
        lines += ["BEGIN:VEVENT", *[v.strip() for v in vevent.strip().splitlines()], "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def simple_event(uid: str, start: int, end: int, *lines: str) -> str:
    """A one-event VCALENDAR with UTC times."""
    from datetime import UTC, datetime

    def at(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y%m%dT%H%M%SZ")

    head = [f"UID:{uid}", f"DTSTAMP:{at(start)}", f"DTSTART:{at(start)}", f"DTEND:{at(end)}"]
    return vcalendar("\n".join(head + list(lines)))

"""Hostile recurrence rules from outside: an iCalendar feed and a CalDAV server (Radicale)
holding a 1970 series with an instance every minute, one denser than the cap, and a rule that
never occurs. Reads answer from the window (they would walk 56 years of instances otherwise)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.providers.conftest import Account, simple_event
from tests.providers.test_ics import feed  # noqa: F401 (the fixture)
from tests.support.feeds import Feed
from tests.support.scheduling import future_hour

HOUR = 3600
EVERY_HOUR = ",".join(str(h) for h in range(24))
EVERY_MINUTE = ",".join(str(m) for m in range(60))
EVERY_SECOND = ",".join(str(s) for s in range(60))
MINUTELY = f"RRULE:FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND=0"
SECONDLY = f"RRULE:FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND={EVERY_SECOND}"
NEVER = "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"


def _busy(api: httpx.Client, grant: dict[str, Any], start: int, end: int) -> list[tuple[int, int]]:
    response = api.post(
        f"/v3/grants/{grant['id']}/calendars/free-busy",
        json={"start_time": start, "end_time": end, "emails": [grant["email"]]},
    )
    assert response.status_code == 200, response.text
    return [(s["start_time"], s["end_time"]) for s in response.json()["data"][0]["time_slots"]]


def _connected(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _calendar(uid: str, start: int, end: int, rule: str) -> str:
    return simple_event(uid, start, end, rule)


def _check(api: httpx.Client, grant: dict[str, Any], t0: int, mode: str) -> None:
    if mode == "minutely":
        assert _busy(api, grant, t0, t0 + HOUR) == [
            (t0 + m * 60, t0 + m * 60 + 30) for m in range(60)
        ]
    elif mode == "secondly":
        # Denser than 10,000 instances a window: the window counts as busy (documented).
        assert _busy(api, grant, t0, t0 + 7 * 24 * HOUR) == [(t0, t0 + 7 * 24 * HOUR)]
    else:
        # Never occurs: the feed's event keeps its 1970 instance only.
        assert _busy(api, grant, t0, t0 + 400 * 24 * HOUR) == []


RULES = {"minutely": (MINUTELY, 30), "secondly": (SECONDLY, 1), "never": (NEVER, HOUR)}


@pytest.mark.parametrize("mode", sorted(RULES))
def test_an_ics_feed_with_a_hostile_rule(
    api: httpx.Client,
    feed: Feed,  # noqa: F811 (the fixture)
    mode: str,
) -> None:
    rule, duration = RULES[mode]
    feed.body = _calendar("hostile@feed", 0, duration, rule)
    grant = _connected(
        api.post(
            "/v3/connect/custom",
            json={"provider": "ics", "settings": {"email": "feed@example.com", "url": feed.url}},
        )
    )
    _check(api, grant, future_hour(days=2, hour=9), mode)


@pytest.mark.parametrize("mode", sorted(RULES))
def test_a_caldav_calendar_with_a_hostile_rule(
    api: httpx.Client, account: Account, mode: str
) -> None:
    rule, duration = RULES[mode]
    account.put("hostile.ics", _calendar("hostile@caldav", 0, duration, rule))
    grant = _connected(api.post("/v3/connect/custom", json=account.connect_body()))
    _check(api, grant, future_hour(days=2, hour=9), mode)

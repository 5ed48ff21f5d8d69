"""The official Python SDK (nylas 6.18.0) against a live server, changing only api_uri."""

from __future__ import annotations

import pytest

from tests.conftest import API_KEY
from tests.support.server import LiveServer

nylas = pytest.importorskip("nylas")
from nylas import Client  # noqa: E402
from nylas.models.errors import NylasApiError  # noqa: E402
from nylas.models.free_busy import FreeBusy, FreeBusyError  # noqa: E402

pytestmark = pytest.mark.sdk

T0 = 1_767_261_600
HOUR = 3600
DAY = 86_400


@pytest.fixture
def client(server: LiveServer) -> Client:
    return Client(api_key=API_KEY, api_uri=server.url + "/")  # a trailing slash is tolerated


def test_grants(client: Client) -> None:
    created = client.auth.custom_authentication(
        {"provider": "virtual-calendar", "settings": {"email": "avery@example.com"}}
    )
    grant = created.data
    assert grant.email == "avery@example.com" and grant.provider == "virtual-calendar"
    assert created.request_id
    listed = client.grants.list({"limit": 5})
    assert [g.id for g in listed.data] == [grant.id]
    assert client.grants.find(grant.id).data.email == "avery@example.com"
    updated = client.grants.update(grant.id, {"scope": ["calendar"]}).data
    assert updated.scope == ["calendar"]
    client.grants.destroy(grant.id)
    with pytest.raises(NylasApiError) as raised:
        client.grants.find(grant.id)
    assert raised.value.status_code == 404
    assert raised.value.type == "not_found_error"


def test_calendars_events_and_free_busy(client: Client) -> None:
    grant = client.auth.custom_authentication(
        {"provider": "virtual-calendar", "settings": {"email": "avery@example.com"}}
    ).data
    gid = grant.id
    cal = client.calendars.create(gid, {"name": "Work", "timezone": "Europe/Berlin"}).data
    assert cal.name == "Work" and cal.grant_id == gid and cal.read_only is False
    assert client.calendars.find(gid, "primary").data.is_primary is True
    cal = client.calendars.update(gid, cal.id, {"name": "Work 2", "hexColor": "#112233"}).data
    assert cal.name == "Work 2" and cal.hex_color == "#112233"
    assert len(client.calendars.list(gid).data) == 2

    query = {"calendar_id": cal.id}
    single = client.events.create(
        gid,
        {
            "title": "Planning",
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "participants": [{"email": "blake@example.com", "name": "Blake"}],
            "metadata": {"key1": "alpha"},
        },
        query,
    ).data
    assert single.when.object == "timespan"
    assert single.participants[0].status == "noreply"
    series = client.events.create(
        gid,
        {
            "title": "Standup",
            "when": {"start_time": T0 + 2 * HOUR, "end_time": T0 + 2 * HOUR + 900},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
        },
        query,
    ).data
    window = {"calendar_id": cal.id, "start": T0 - DAY, "end": T0 + 10 * DAY}
    listed = client.events.list(gid, window).data
    assert [e.title for e in listed] == ["Planning", "Standup", "Standup", "Standup"]
    assert listed[1].master_event_id == series.id
    by_meta = client.events.list(gid, {**window, "metadata_pair": {"key1": "alpha"}}).data
    assert [e.id for e in by_meta] == [single.id]
    found = client.events.find(gid, single.id, {"calendar_id": cal.id}).data
    assert found.title == "Planning"
    moved = client.events.update(
        gid,
        single.id,
        {"title": "Planning 2", "participants": [{"email": "c@example.com", "phoneNumber": "1"}]},
        {"calendar_id": cal.id},
    ).data
    assert moved.title == "Planning 2" and moved.participants[0].phone_number == "1"
    client.events.send_rsvp(gid, single.id, {"status": "yes"}, {"calendar_id": cal.id})

    answer = client.calendars.get_free_busy(
        gid,
        {
            "start_time": T0 - HOUR,
            "end_time": T0 + 3 * HOUR,
            "emails": ["avery@example.com", "nobody@example.com"],
        },
    ).data
    assert isinstance(answer[0], FreeBusy)
    assert [(s.start_time, s.end_time) for s in answer[0].time_slots] == [
        (T0, T0 + HOUR),
        (T0 + 2 * HOUR, T0 + 2 * HOUR + 900),
    ]
    assert isinstance(answer[1], FreeBusyError)

    client.events.destroy(gid, single.id, {"calendar_id": cal.id})
    assert [e.title for e in client.events.list(gid, window).data] == ["Standup"] * 3
    client.calendars.destroy(gid, cal.id)
    with pytest.raises(NylasApiError):
        client.calendars.find(gid, cal.id)

"""How `POST /v3/calendars/availability` reads each participant: members left out, given as
expected, and given wrong (each refused, naming its field)."""

from __future__ import annotations

from typing import Any

import pytest

from slotwise.availability import WeeklyHours
from slotwise.availability_api.schemas import CalendarAvailabilityRequest
from slotwise.errors import InvalidRequest
from slotwise.validation import validate_model

# v3 numbers days from Sunday (0); the engine from Monday.
DEFAULT = {"days": [1], "start": "9:00", "end": "17:00", "timezone": "Europe/Paris"}
OWN = {"days": [2], "start": "10:00", "end": "12:00", "timezone": "Asia/Kolkata"}


def _read(participant: Any) -> Any:
    body = {
        "start_time": 1_800_000_000,
        "end_time": 1_800_086_400,
        "duration_minutes": 30,
        "availability_rules": {"default_open_hours": [DEFAULT]},
        "participants": [participant],
    }
    [read] = validate_model(CalendarAvailabilityRequest, body).participants
    return read


def _refusal(participant: Any) -> str:
    with pytest.raises(InvalidRequest) as caught:
        _read(participant)
    return caught.value.message


def test_members_left_out_take_their_defaults() -> None:
    read = _read({"email": "ada@example.com"})
    assert read.field == "participants[0]"
    assert read.email == "ada@example.com"
    assert read.calendar_ids == []
    assert read.open_hours == [WeeklyHours(frozenset({0}), 540, 1020, "Europe/Paris")]
    assert read.specific == []
    assert read.only_specific is False
    # null and an empty list of open hours mean the request's default ones too.
    none_given: tuple[list[object] | None, ...] = (None, [])
    for hours in none_given:
        assert _read({"email": "ada@example.com", "open_hours": hours}).open_hours == (
            read.open_hours
        )


def test_members_given_are_read() -> None:
    read = _read(
        {
            "email": "ada@example.com",
            "calendar_ids": ["primary", "work"],
            "open_hours": [OWN],
            "specific_time_availability": [{"date": "2027-01-15", "start": "8:00", "end": "9:00"}],
            "only_specific_time_availability": True,
        }
    )
    assert read.calendar_ids == ["primary", "work"]
    assert read.open_hours == [WeeklyHours(frozenset({1}), 600, 720, "Asia/Kolkata")]
    # A date's hours without a zone are in the participant's own open hours' zone.
    [specific] = read.specific
    assert specific.timezone == "Asia/Kolkata"
    assert read.only_specific is True
    # The v3 SDKs' string spellings of a boolean are read as the boolean.
    only = {"email": "ada@example.com", "only_specific_time_availability": "TRUE"}
    assert _read(only).only_specific is True


@pytest.mark.parametrize(
    ("participant", "message"),
    [
        ("ada@example.com", "participants[0]: expected an object"),
        ([], "participants[0]: expected an object"),
        ({"email": None}, "participants[0].email: expected an email address"),
        ({}, "participants[0].email: expected an email address"),
        ({"open_hours": [OWN]}, "participants[0].email: expected an email address"),
        ({"email": "a@x.example", "open_hours": {}}, "participants[0].open_hours: expected a list"),
        ({"email": "a@x.example", "open_hours": ""}, "participants[0].open_hours: expected a list"),
        ({"email": "a@x.example", "open_hours": 0}, "participants[0].open_hours: expected a list"),
        (
            {"email": "a@x.example", "open_hours": [{**OWN, "end": "9:00"}]},
            "participants[0].open_hours[0].end",
        ),
        (
            {"email": "a@x.example", "specific_time_availability": "x"},
            "participants[0].specific_time_availability: expected a list",
        ),
        (
            {"email": "a@x.example", "specific_time_availability": [{"date": "2027-02-30"}]},
            "participants[0].specific_time_availability[0]",
        ),
        (
            {"email": "a@x.example", "only_specific_time_availability": 1},
            "participants[0].only_specific_time_availability: expected true or false, got 1",
        ),
        (
            {"email": "a@x.example", "only_specific_time_availability": "yes"},
            "participants[0].only_specific_time_availability: expected true or false, got 'yes'",
        ),
        (
            {"email": "a@x.example", "calendar_ids": "primary"},
            "participants[0].calendar_ids: expected a list",
        ),
        (
            {"email": "a@x.example", "calendar_ids": {"0": "primary"}},
            "participants[0].calendar_ids: expected a list",
        ),
        # The checks run in the members' order: the first wrong one is named.
        (
            {"email": "a@x.example", "open_hours": {}, "calendar_ids": "primary"},
            "participants[0].open_hours: expected a list",
        ),
    ],
)
def test_a_wrong_member_is_refused_by_name(participant: Any, message: str) -> None:
    assert _refusal(participant).startswith(message)

"""The typed reading of a stored configuration: it agrees with the stored JSON on who hosts,
types the parts the services read, and every field it reads is checked when written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from slotwise.documents import ConfigurationDocument, ConfigurationParticipant
from slotwise.scheduling.schemas import NewConfiguration, parse_configuration


@pytest.mark.parametrize(
    ("participant", "hosts"),
    [
        ({"email": "a@example.com"}, False),
        ({"email": "a@example.com", "availability": {}}, False),
        ({"email": "a@example.com", "availability": None, "booking": {}}, False),
        ({"email": "a@example.com", "availability": {"calendar_ids": []}}, True),
        ({"email": "a@example.com", "booking": {"calendar_id": "primary"}}, True),
        ({"email": "a@example.com", "availability": {"something_else": 1}}, True),
    ],
)
def test_an_empty_availability_or_booking_is_no_host(
    participant: dict[str, object], hosts: bool
) -> None:
    # The stored JSON's truthiness decided before the typed reading: `{}` was no host.
    assert ConfigurationParticipant.model_validate(participant).is_host is hosts


def _parts(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """`model` and the models of its fields, however deep (lists and maps of them too)."""
    yield model
    for info in model.model_fields.values():
        for arg in (info.annotation, *get_args(info.annotation)):
            for inner in (arg, *get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from _parts(inner)


def test_every_field_of_a_configuration_is_checked_where_it_is_declared() -> None:
    # A field added to a part of slotwise.documents without its rule in the part's New… model
    # would be stored unchecked: each New… part declares (with its rule) every field it reads.
    for part in _parts(NewConfiguration):
        read = next(
            base
            for base in part.__mro__[1:]
            if issubclass(base, BaseModel) and base.__module__ == "slotwise.documents"
        )
        assert part.__module__ == "slotwise.scheduling.schemas", part
        checked = {
            name
            for cls in part.__mro__
            if cls.__module__ == "slotwise.scheduling.schemas"
            for name in vars(cls).get("__annotations__", {})
        }
        assert set(read.model_fields) <= checked, part


def test_the_typed_reading_types_the_email_template_and_the_form() -> None:
    stored: dict[str, Any] = {
        "participants": [
            {"email": "a@example.com", "is_organizer": True, "booking": {"calendar_id": "c"}}
        ],
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Intro"},
        "scheduler": {
            "additional_fields": {
                "topic": {"label": "Topic", "type": "dropdown", "required": True, "options": ["a"]}
            },
            "email_template": {"booking_confirmed": {"title": "Booked", "extra": 1}},
            "expire_after": {"date": "1700000000.5"},
        },
    }
    scheduler = ConfigurationDocument.read(stored).scheduler
    assert scheduler.additional_fields["topic"].options == ["a"]
    assert scheduler.additional_fields["topic"].required is True
    assert scheduler.email_template.booking_confirmed.title == "Booked"
    assert scheduler.expire_after.date == 1_700_000_000
    # What the client sent is checked as sent and left as it was.
    assert parse_configuration(stored).scheduler.expire_after.date == 1_700_000_000
    assert stored["scheduler"]["expire_after"] == {"date": "1700000000.5"}

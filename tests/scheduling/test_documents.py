"""The typed reading of a stored configuration agrees with the stored JSON on who hosts."""

from __future__ import annotations

import pytest

from slotwise.documents import ConfigurationParticipant


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

"""Any configuration object either is refused with a field-naming 400 or can be evaluated.

Random mutations of a valid object go through the validator; whatever it accepts must then
map onto the engine and compute slots without any other error.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise import availability as engine
from slotwise.db.models import Grant
from slotwise.errors import InvalidRequest
from slotwise.scheduling.offer import open_hours_of, rules_of, specific_of
from slotwise.scheduling.schemas import parse_configuration
from slotwise.scheduling.service import Host

VALID: dict[str, Any] = {
    "participants": [
        {
            "email": "ada@example.com",
            "is_organizer": True,
            "timezone": "Europe/Berlin",
            "availability": {
                "calendar_ids": ["primary"],
                "open_hours": [
                    {"days": [1, 2], "start": "9:00", "end": "17:00", "timezone": "UTC"}
                ],
            },
            "booking": {"calendar_id": "primary"},
            "specific_time_availability": [
                {"date": "2030-01-02", "start": "10:00", "end": "11:00"}
            ],
        }
    ],
    "availability": {
        "duration_minutes": 30,
        "interval_minutes": 15,
        "round_to": 15,
        "availability_rules": {
            "availability_method": "collective",
            "buffer": {"before": 5, "after": 10},
            "default_open_hours": [
                {"days": [0, 6], "start": "0:00", "end": "24:00", "timezone": "Asia/Tokyo"}
            ],
        },
    },
    "event_booking": {"title": "Intro", "timezone": "America/New_York"},
    "scheduler": {
        "min_booking_notice": 30,
        "available_days_in_future": 10,
        "additional_fields": {"a": {"label": "A", "type": "text", "required": False}},
    },
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["9:00", "24:00", "0:00", "23:59", "2030-02-30", "UTC", "Mars/X", "25:00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(VALID)


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_mutated_configurations_are_refused_or_computable(changes) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(VALID)
    for path, value in changes:
        try:
            _set(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        # Whatever the checks let through, the typed reading takes too.
        document = parse_configuration(doc)
    except InvalidRequest as exc:
        assert ":" in exc.message
        return
    grant = Grant(id="g1", email="ada@example.com", provider="virtual-calendar")
    host = Host(
        email="ada@example.com",
        name=None,
        grant=grant,
        entry=document.participants[0],
        is_organizer=True,
        calendars=(),
    )
    specific, only = specific_of(host, document)
    person = engine.Participant(
        email=host.email,
        busy=[(1_893_456_000, 1_893_459_600)],
        open_hours=open_hours_of(host, document),
        specific=specific,
        only_specific=only,
    )
    engine.compute_availability(
        [person], 1_893_456_000, 1_893_456_000 + 3 * 86400, rules_of(document)
    )

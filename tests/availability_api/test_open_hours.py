"""Open-hours rules as both faces read them, and the rules kept once read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from slotwise.availability import WeeklyHours
from slotwise.availability_api.open_hours import weekly_hours
from slotwise.errors import InvalidRequest

RULE = {"days": [1, 2], "timezone": "Asia/Kathmandu", "start": "9:00", "end": "17:30"}


def _v3(rule: object, field: str = "open_hours[0]") -> WeeklyHours:
    return weekly_hours(field, rule, sunday_first=True, default_timezone="UTC")


def _v2(rule: object, field: str = "open_hours[0]") -> WeeklyHours:
    return weekly_hours(field, rule, sunday_first=False, default_timezone=None)


def _message(read: Callable[[], object]) -> str:
    with pytest.raises(InvalidRequest) as caught:
        read()
    return caught.value.message


def test_a_rule_read_again_is_the_same_value() -> None:
    first = _v3(dict(RULE))
    assert first == WeeklyHours(frozenset({0, 1}), 540, 1050, "Asia/Kathmandu")
    # Another dict with the same content, its keys in another order: the kept value.
    assert _v3(dict(reversed(list(RULE.items())))) is first


def test_each_face_numbers_days_its_own_way_for_the_same_text() -> None:
    assert _v3(RULE).days == frozenset({0, 1})  # v3: 0 = Sunday
    assert _v2(RULE).days == frozenset({1, 2})  # v2: 0 = Monday


def test_values_that_only_look_alike_are_read_apart() -> None:
    _v3(RULE)
    # true is not 1, though Python compares them equal.
    assert _message(lambda: _v3({**RULE, "days": [True, 2]})).startswith("open_hours[0].days[0]")
    # The digit strings the v2 seed sends are days too; read, not mistaken for the integers.
    assert _v3({**RULE, "days": ["1", "2"]}).days == frozenset({0, 1})
    # A NaN is written as null, like a missing zone (which would mean UTC).
    assert _v3({**RULE, "timezone": None}).timezone == "UTC"
    nan = float("nan")
    assert _message(lambda: _v3({**RULE, "timezone": nan})).startswith("open_hours[0].timezone")
    # An integer beyond 64 bits has no JSON text to key it by: read (and refused) every time.
    huge = 2**70
    assert _message(lambda: _v3({**RULE, "days": [huge]})).startswith("open_hours[0].days[0]")


def test_a_refused_rule_names_the_field_it_came_in_each_time() -> None:
    bad = {**RULE, "end": "8:00"}
    assert _message(lambda: _v3(bad, "participants[0].open_hours[0]")).startswith(
        "participants[0].open_hours[0].end"
    )
    assert _message(lambda: _v3(bad, "participants[3].open_hours[1]")).startswith(
        "participants[3].open_hours[1].end"
    )

"""The v3 answer written as JSON by `wire.v3_availability`: the same bytes orjson writes for the
slot dicts it stands for, whatever the emails hold."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from slotwise.availability import AvailabilityResult, Slot
from slotwise.availability_api import wire


def _as_dicts(result: AvailabilityResult) -> dict[str, Any]:
    slots = [{"emails": s.emails, "start_time": s.start, "end_time": s.end} for s in result.slots]
    return {"time_slots": slots, "order": result.order}


ANN = ("ann@example.com",)
BOTH = ("ann@example.com", 'zoë "z" \\ 😀 <b>@example.com')

CASES = [
    AvailabilityResult([], []),
    AvailabilityResult([Slot(0, 1800, ())], ["ann@example.com"]),
    AvailabilityResult(
        [Slot(1_714_950_000, 1_714_951_800, ANN), Slot(1_714_950_900, 1_714_952_700, BOTH)]
        + [Slot(4_102_444_800, 4_102_446_600, tuple(BOTH))],  # an equal tuple, another object
        list(BOTH),
    ),
]


@pytest.mark.parametrize("result", CASES)
def test_the_answer_is_the_bytes_orjson_writes_for_the_slot_dicts(
    result: AvailabilityResult,
) -> None:
    assert wire.v3_availability(result) == orjson.dumps(_as_dicts(result))

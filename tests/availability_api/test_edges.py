"""Edge cases of the availability faces found by driving a live server."""

from __future__ import annotations

import httpx
import pytest

from slotwise.validation import MAX_EPOCH
from tests.availability_api.helpers import error_of, grant


@pytest.mark.parametrize(
    ("start", "end"),
    [(10**20, 10**20 + 3600), (-3600, 3600), (MAX_EPOCH - 60, MAX_EPOCH + 3540)],
)
def test_window_outside_the_epoch_range_is_a_400(api: httpx.Client, start: int, end: int) -> None:
    grant(api, "ann@example.com")
    v3 = {
        "start_time": start,
        "end_time": end,
        "duration_minutes": 30,
        "participants": [{"email": "ann@example.com"}],
    }
    assert "_time" in error_of(api.post("/v3/calendars/availability", json=v3))
    v2 = {
        "start_time": start,
        "end_time": end,
        "duration_minutes": 30,
        "emails": ["ann@example.com"],
    }
    assert "_time" in error_of(api.post("/calendars/availability", json=v2))

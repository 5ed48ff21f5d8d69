"""Recurrence expansion: the same instances as dateutil from DTSTART, with work bounded by the
window (instances looked at), not by the series' age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil import rrule
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slotwise.availability import zones
from slotwise.eventtime.recurrence import MAX_INSTANCES, RecurrenceError, parse_series

T0 = 1_767_261_600  # 2026-01-01 10:00 UTC
DAY = 86_400
EVERY_HOUR = ",".join(str(h) for h in range(24))
EVERY_MINUTE = ",".join(str(m) for m in range(60))
EVERY_SECOND = ",".join(str(s) for s in range(60))


def _oracle(rule: str, first: int, tz: str, start: int, end: int, duration: int) -> list[int]:
    """Instance starts overlapping [start, end), walked by dateutil from DTSTART."""
    zone = zones.zone(tz)
    dtstart = zones.epoch_to_local(first, zone)
    found = []
    limit = zones.epoch_to_local(end, zone) + timedelta(days=2)
    for local in rrule.rrulestr(rule, dtstart=dtstart):
        if local > limit:
            break
        s = zones.local_to_epoch(local, zone)
        if s < end and s + duration > start:
            found.append(s)
    return found


_FREQ = st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "INTERVAL": st.integers(1, 5).map(str),
        "BYDAY": st.sampled_from(["MO", "TU,TH", "SA,SU", "1MO", "-1FR", "2WE,3TH"]),
        "BYMONTHDAY": st.sampled_from(["1", "15", "31", "-1", "29,30"]),
        "BYMONTH": st.sampled_from(["1", "2", "6,12", "3,4,5"]),
        "BYHOUR": st.sampled_from(["0", "9,17", "23"]),
        "BYMINUTE": st.sampled_from(["0", "15,45"]),
        "BYSECOND": st.sampled_from(["0", "30"]),
        "BYSETPOS": st.sampled_from(["1", "-1", "2"]),
        "WKST": st.sampled_from(["MO", "SU"]),
        "COUNT": st.integers(1, 400).map(str),
        "BYWEEKNO": st.sampled_from(["1", "20", "53"]),
    },
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    freq=_FREQ,
    parts=_PARTS,
    first=st.integers(T0 - 5 * 365 * DAY, T0),
    offset=st.integers(0, 3 * 365 * DAY),
    span=st.integers(1, 40 * DAY),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]),
)
def test_expansion_matches_dateutil_from_dtstart(
    freq: str, parts: dict[str, str], first: int, offset: int, span: int, tz: str
) -> None:
    if freq != "YEARLY":
        parts.pop("BYWEEKNO", None)
    rule = ";".join([f"FREQ={freq}", *(f"{k}={v}" for k, v in parts.items())])
    duration = 3600
    try:
        series = parse_series(
            [f"RRULE:{rule}"],
            first_start=first,
            first_end=first + duration,
            timezone=tz,
            all_day=False,
            check_occurs=True,
        )
    except RecurrenceError:
        assume(False)  # a rule that never occurs is refused on write (and dropped from feeds)
        return
    start = first + offset
    got = series.expand(start, start + span)
    if got.cut is None:
        assert [s for s, _ in got.spans] == _oracle(rule, first, tz, start, start + span, duration)


def test_a_1970_series_with_bysecond_is_expanded_near_the_window() -> None:
    # Two instances a minute since 1970: 56 years of them before the window.
    rule = f"FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND=0,30"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=10, timezone="UTC", all_day=False
    )
    day = series.expand(T0, T0 + DAY)
    assert day.cut is None
    assert len(day.spans) == 2 * 24 * 60
    assert day.spans[0] == (T0, T0 + 10)
    assert day.spans[-1] == (T0 + DAY - 30, T0 + DAY - 20)
    # From the day of slack before the window to its end: nothing of the decades before.
    assert day.looked_at <= 4 * 2 * 24 * 60


def test_a_yearly_rule_is_walked_from_the_window_day_not_from_its_year_start() -> None:
    every_month = ",".join(str(m) for m in range(1, 13))
    rule = f"FREQ=YEARLY;BYMONTH={every_month};BYMONTHDAY=28;BYHOUR={EVERY_HOUR};BYMINUTE=0"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=60, timezone="UTC", all_day=False
    )
    december = int(datetime(2026, 12, 28, tzinfo=UTC).timestamp())
    got = series.expand(december, december + DAY)
    assert got.cut is None
    assert len(got.spans) == 24
    assert got.looked_at <= 25


def test_a_rule_denser_than_the_cap_is_cut_and_says_where() -> None:
    rule = f"FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND=0,15,30,45"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=1, timezone="UTC", all_day=False
    )
    got = series.expand(T0, T0 + 7 * DAY)
    assert got.looked_at == MAX_INSTANCES
    # Followed from midnight before the window: 10,000 starts 15 s apart, then cut.
    assert got.cut == T0 - 10 * 3600 + (MAX_INSTANCES - 1) * 15
    assert got.spans[0] == (T0, T0 + 1)
    assert got.spans[-1] == (got.cut, got.cut + 1)


def test_a_rule_that_spends_the_cap_before_the_window_cuts_at_its_start() -> None:
    rule = f"FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND={EVERY_SECOND}"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=1, timezone="UTC", all_day=False
    )
    got = series.expand(T0, T0 + 7 * DAY)
    assert (got.spans, got.cut, got.looked_at) == ([], T0, MAX_INSTANCES)


def test_count_runs_from_dtstart() -> None:
    # 1000 instances every 30 seconds from 1970 end on the first day: nothing in 2026.
    rule = f"FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND=0,30;COUNT=1000"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=10, timezone="UTC", all_day=False
    )
    assert series.expand(T0, T0 + DAY).spans == []
    assert series.expand(0, DAY).spans[-1] == (999 * 30, 999 * 30 + 10)
    assert series.last_end() == 999 * 30 + 10


def test_a_count_longer_than_the_cap_is_taken_to_go_on() -> None:
    rule = f"FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE=0,30;COUNT=1000000"
    series = parse_series(
        [f"RRULE:{rule}"], first_start=0, first_end=60, timezone="UTC", all_day=False
    )
    got = series.expand(T0, T0 + DAY)
    assert got.cut is None
    assert len(got.spans) == 48
    assert got.looked_at <= MAX_INSTANCES + 3 * 48
    assert series.last_end() is None


def test_exdates_and_rdates_still_apply() -> None:
    series = parse_series(
        [
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
            "EXDATE:20260108T100000Z",
            "RDATE:20260110T100000Z",
        ],
        first_start=T0 - 52 * 7 * DAY,
        first_end=T0 - 52 * 7 * DAY + 3600,
        timezone="UTC",
        all_day=False,
    )
    starts = [s for s, _ in series.between(T0, T0 + 14 * DAY)]
    assert starts == [T0, T0 + 9 * DAY]

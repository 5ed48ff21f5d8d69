"""Table tests of explanations: every reason alone and combined, on a DST-change date in a
northern zone (Berlin, spring forward) and a southern one (Sydney, fall back), and in
Kathmandu (+05:45, no DST)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from slotwise.availability import (
    COLLECTIVE,
    MAX_FAIRNESS,
    Participant,
    Rules,
    SpecificHours,
    WeeklyHours,
)
from slotwise.availability.explain import (
    BEFORE_NOTICE,
    BEYOND_HORIZON,
    BOOKING_LIMIT,
    BUFFER,
    BUSY,
    EXDATE,
    EXPIRED,
    HELD,
    NO_HOSTS,
    NOT_ON_GRID,
    NOT_THIS_HOSTS_TURN,
    OUTSIDE_OPEN_HOURS,
    OUTSIDE_WINDOW,
    SPECIFIC_DATE,
    Block,
    Bounds,
    BusyEvent,
    Explanation,
    explain_times,
)

from .helpers import ALL_DAYS, MIN, at


@dataclass(frozen=True)
class Place:
    zone: str
    day: date  # a date whose clocks change (or not, in Kathmandu)
    dst: dict[str, str] | None


PLACES = [
    Place(
        "Europe/Berlin", date(2024, 3, 31), {"offset_before": "+01:00", "offset_after": "+02:00"}
    ),
    Place(
        "Australia/Sydney", date(2024, 4, 7), {"offset_before": "+11:00", "offset_after": "+10:00"}
    ),
    Place("Asia/Kathmandu", date(2024, 3, 31), None),
]
IDS = [p.zone for p in PLACES]


class World:
    """One participant open 09:00-17:00 every day in the place's zone, 30-minute slots."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self.hours = WeeklyHours(ALL_DAYS, 9 * 60, 17 * 60, place.zone)
        self.rules = Rules(duration=30 * MIN, round_to=15 * MIN, round_to_timezone=place.zone)
        day = place.day
        self.bounds = Bounds(self.local(0, 0), self.local(0, 0, day + timedelta(days=1)))

    def local(self, h: int, m: int = 0, day: date | None = None) -> int:
        d = day or self.place.day
        return at(d.year, d.month, d.day, h, m, tz=self.place.zone)

    def person(self, email: str = "ann@x", **kw: object) -> Participant:
        fields: dict[str, object] = {"open_hours": [self.hours], **kw}
        return Participant(email, **fields)  # type: ignore[arg-type]

    def explain(
        self,
        t: int,
        people: list[Participant] | None = None,
        *,
        rules: Rules | None = None,
        bounds: Bounds | None = None,
        **kw: object,
    ) -> Explanation:
        got = explain_times(
            [self.person()] if people is None else people,
            bounds or self.bounds,
            rules or self.rules,
            [t],
            **kw,  # type: ignore[arg-type]
        )
        return got[0]


def codes(x: Explanation) -> list[str]:
    return [r.code for r in x.reasons]


@pytest.fixture(params=PLACES, ids=IDS)
def world(request: pytest.FixtureRequest) -> World:
    return World(request.param)


def test_an_offered_time_has_no_reason(world: World) -> None:
    x = world.explain(world.local(10))
    assert x.offered and x.reasons == [] and x.emails == ("ann@x",)
    assert x.participants[0].reasons == []


def test_outside_open_hours_names_the_rule_zone_date_and_clock_change(world: World) -> None:
    x = world.explain(world.local(8))
    assert not x.offered and codes(x) == [OUTSIDE_OPEN_HOURS]
    reason = x.reasons[0]
    assert reason.email == "ann@x"
    rules = reason.details["rules"]
    assert isinstance(rules, list) and len(rules) == 1
    rule = rules[0]
    assert rule["timezone"] == world.place.zone
    assert rule["local_date"] == world.place.day.isoformat()
    assert rule["hours"] == "09:00-17:00"
    assert rule["dst"] == world.place.dst
    assert rule["open"] == [world.local(9), world.local(17)]
    assert reason.details["uncovered"] == [[world.local(8), world.local(8, 30)]]


def test_exdate_alone(world: World) -> None:
    hours = replace(world.hours, exdates=frozenset({world.place.day}))
    x = world.explain(world.local(10), [world.person(open_hours=[hours])])
    assert codes(x) == [EXDATE]
    assert x.reasons[0].details == {
        "rule": 0,
        "date": world.place.day.isoformat(),
        "timezone": world.place.zone,
    }


def test_specific_date_alone(world: World) -> None:
    spec = SpecificHours(world.place.day, 13 * 60, 14 * 60, world.place.zone)
    p = world.person(specific=[spec])
    x = world.explain(world.local(10), [p])
    assert codes(x) == [SPECIFIC_DATE]
    assert x.reasons[0].details["hours"] == [f"13:00-14:00 ({world.place.zone})"]
    assert world.explain(world.local(13), [p]).offered


def test_closed_specific_date_and_a_weekend_outside_hours(world: World) -> None:
    closed = SpecificHours(world.place.day, 0, 0, world.place.zone)
    x = world.explain(world.local(10), [world.person(specific=[closed])])
    assert codes(x) == [SPECIFIC_DATE]
    assert x.reasons[0].details["hours"] == [f"closed ({world.place.zone})"]
    weekdays = replace(world.hours, days=frozenset(range(5)))  # every place's day is a Sunday
    x = world.explain(world.local(10), [world.person(open_hours=[weekdays])])
    assert codes(x) == [OUTSIDE_OPEN_HOURS]
    assert x.reasons[0].details["rules"][0]["weekday"] == "Sun"  # type: ignore[index]


def test_busy_names_the_event_when_told_and_only_busy_when_not(world: World) -> None:
    span = (world.local(10), world.local(11))
    p = world.person(busy=[span])
    told = world.explain(
        world.local(10, 30), [p], events={"ann@x": [BusyEvent(*span, "ev1", "cal1")]}
    )
    assert codes(told) == [BUSY]
    assert told.reasons[0].details == {"event_id": "ev1", "calendar_id": "cal1", "span": list(span)}
    untold = world.explain(world.local(10, 30), [p])
    assert codes(untold) == [BUSY] and untold.reasons[0].details == {}


def test_within_a_buffer_on_each_side(world: World) -> None:
    p = world.person(busy=[(world.local(11), world.local(12))])
    rules = replace(world.rules, buffer_before=15 * MIN, buffer_after=30 * MIN)
    before = world.explain(world.local(10, 30), [p], rules=rules)
    assert codes(before) == [BUFFER]
    assert before.reasons[0].details["side"] == "before"
    assert before.reasons[0].details["minutes"] == 15
    after = world.explain(world.local(12), [p], rules=rules)
    assert codes(after) == [BUFFER] and after.reasons[0].details["side"] == "after"
    assert world.explain(world.local(12, 30), [p], rules=rules).offered


def test_notice_horizon_and_window(world: World) -> None:
    b = world.bounds
    notice = replace(b, not_before=world.local(11))
    x = world.explain(world.local(10), bounds=notice)
    assert codes(x) == [BEFORE_NOTICE]
    assert x.reasons[0].email is None
    assert x.reasons[0].details == {"earliest_start": world.local(11)}
    horizon = replace(b, horizon=world.local(10, 15))
    assert codes(world.explain(world.local(10), bounds=horizon)) == [BEYOND_HORIZON]
    outside = world.explain(b.window_end + 10 * 3600)
    assert OUTSIDE_WINDOW in codes(outside)
    expired = world.explain(world.local(10), bounds=replace(b, expired=True))
    assert codes(expired) == [EXPIRED] and not expired.offered


def test_not_on_the_grid_gives_the_nearest_offered_times(world: World) -> None:
    x = world.explain(world.local(10, 5))
    assert codes(x) == [NOT_ON_GRID]
    assert x.reasons[0].details["nearest"] == [world.local(10), world.local(10, 30)]
    assert x.reasons[0].details["round_to_minutes"] == 15
    assert x.blocked_by == []  # nobody's calendar stops it: the grid does


def test_booking_limit_and_hold(world: World) -> None:
    day = Block(world.bounds.window_start, world.bounds.window_end, BOOKING_LIMIT, "per_day")
    x = world.explain(world.local(10), blocks={"ann@x": [day]})
    assert codes(x) == [BOOKING_LIMIT] and x.reasons[0].details["limit"] == "per_day"
    hold = Block(world.local(10), world.local(10, 30), HELD)
    x = world.explain(world.local(10), blocks={"ann@x": [hold]})
    assert codes(x) == [HELD]
    assert world.explain(world.local(10, 30), blocks={"ann@x": [hold]}).offered


def test_round_robin_not_this_hosts_turn(world: World) -> None:
    ann = world.person("ann@x", last_booked_at=world.local(0) - 86400)
    bob = world.person("bob@x", last_booked_at=world.local(0) - 3600)
    rules = replace(world.rules, method=MAX_FAIRNESS)
    x = world.explain(world.local(10), [ann, bob], rules=rules)
    assert x.offered and x.emails == ("ann@x",)
    (_, bob_says) = x.participants
    assert [r.code for r in bob_says.reasons] == [NOT_THIS_HOSTS_TURN]
    assert bob_says.reasons[0].details == {"position": 2, "next_in_turn": ["ann@x"]}
    busy_ann = replace(ann, busy=[(world.local(10), world.local(11))])
    x = world.explain(world.local(10), [busy_ann, bob], rules=rules)
    assert not x.offered
    assert codes(x) == [BUSY, NOT_THIS_HOSTS_TURN]
    assert x.blocked_by == ["ann@x", "bob@x"]


@pytest.mark.parametrize("strict", [True, False])
def test_a_host_at_a_limit_is_passed_over_and_told_so_by_the_limit(
    world: World, strict: bool
) -> None:
    """ann is next in turn but at a limit for the day: bob gets the turn (strict rotation, or
    the half of max-fairness taken over bob and cy); ann's reason is the limit alone, cy's is
    the turn, naming bob and the limit that passed ann over."""
    ann = world.person("ann@x")
    bob = world.person("bob@x", last_booked_at=world.local(0) - 7200)
    cy = world.person("cy@x", last_booked_at=world.local(0) - 3600)
    rules = replace(world.rules, method=MAX_FAIRNESS, strict_rotation=strict)
    day = Block(world.bounds.window_start, world.bounds.window_end, BOOKING_LIMIT, "per_day")
    x = world.explain(world.local(10), [ann, bob, cy], rules=rules, blocks={"ann@x": [day]})
    assert x.offered and x.emails == ("bob@x",)
    ann_says, bob_says, cy_says = x.participants
    assert [r.code for r in ann_says.reasons] == [BOOKING_LIMIT]
    assert bob_says.reasons == []
    assert [r.code for r in cy_says.reasons] == [NOT_THIS_HOSTS_TURN]
    assert cy_says.reasons[0].details == {
        "position": 3,
        "next_in_turn": ["bob@x"],
        "passed_over_at_limit": ["ann@x"],
    }


def test_collective_names_who_blocks_it(world: World) -> None:
    ann = world.person("ann@x")
    bob = world.person("bob@x", busy=[(world.local(10), world.local(11))])
    rules = replace(world.rules, method=COLLECTIVE)
    x = world.explain(world.local(10), [ann, bob], rules=rules)
    assert not x.offered and x.blocked_by == ["bob@x"]
    assert [r.email for r in x.reasons] == ["bob@x"]
    assert [p.reasons for p in x.participants][0] == []


def test_reasons_combined_in_order_of_precedence(world: World) -> None:
    busy = (world.local(7, 30), world.local(8, 45))
    limit = Block(world.bounds.window_start, world.bounds.window_end, BOOKING_LIMIT, "per_week")
    p = world.person(busy=[busy])
    bounds = replace(world.bounds, not_before=world.local(12), horizon=world.local(8))
    x = world.explain(world.local(8, 5), [p], bounds=bounds, blocks={"ann@x": [limit]})
    assert codes(x) == [OUTSIDE_OPEN_HOURS, BUSY, BEFORE_NOTICE, BEYOND_HORIZON, BOOKING_LIMIT]


def test_no_hosts() -> None:
    x = explain_times([], Bounds(0, 86400), Rules(duration=1800), [3600])[0]
    assert codes(x) == [NO_HOSTS] and not x.offered


def test_spring_forward_gap_hours_follow_the_wall_clock() -> None:
    """Berlin 2024-03-31: 02:00-03:00 does not exist; a 01:00-04:00 rule opens 2 real hours."""
    zone = "Europe/Berlin"
    hours = WeeklyHours(ALL_DAYS, 60, 240, zone)
    p = Participant("ann@x", open_hours=[hours])
    day = Bounds(at(2024, 3, 31, tz=zone), at(2024, 4, 1, tz=zone))
    rules = Rules(duration=60 * MIN, round_to=15 * MIN, round_to_timezone=zone)
    got = explain_times([p], day, rules, [at(2024, 3, 31, 1, tz=zone), at(2024, 3, 31, 3, tz=zone)])
    assert [x.offered for x in got] == [True, True]
    late = explain_times([p], day, rules, [at(2024, 3, 31, 3, 30, tz=zone)])[0]
    assert codes(late) == [OUTSIDE_OPEN_HOURS]
    assert late.reasons[0].details["rules"][0]["dst"] == {  # type: ignore[index]
        "offset_before": "+01:00",
        "offset_after": "+02:00",
    }

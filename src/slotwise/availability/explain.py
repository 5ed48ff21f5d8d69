"""Why a time is or is not offered: the listing's own answer, explained reason by reason.

``explain_times`` asks the engine (``list_availability``: ``compute_availability`` and the
round-robin cut it made) for the slots of the window (so "offered" is the listing's answer,
not a second opinion) and then, for each asked time, derives from the same primitives (open
hours, busy widened by the buffers, the window bounds, the grid, the round-robin cut) every
reason each participant cannot take ``[t, t + duration)``. The derivation and the listing
agree by construction and a property test holds them to it:

* collective: offered ⇔ nobody has a reason;
* max-availability and max-fairness: offered ⇔ some participant has no reason, and the
  offered slot lists exactly the participants that have none.

A reason list is empty exactly when the time is offered (``Explanation.reasons``); each
participant's list (``Explanation.participants``) is empty exactly when that participant
takes the offered slot. Reasons come in the order of ``PRECEDENCE``.

Two inputs come from rules outside the engine, as busy-like spans per participant
(``Block``): a booking limit reached for a period, and a slot held by another guest. They
block exactly as busy time does (buffers included); whoever lists slots must pass the same
spans to the engine, which ``with_blocks`` does: holds as busy time, limits as
``Participant.limited`` (under max-fairness a host at a limit is passed over for the turn, and
is told so by the limit, never by "not this host's turn").

Reasons of seats (``FULL``, ``OTHER_HOSTS_MEETING``) and of group configurations
(``NO_GROUP_MEETING``) are named here so that every reason has its place in ``PRECEDENCE``;
the engine knows nothing of either: the scheduler's seats (``scheduling.seats``) add them to
its explanations, and a group configuration is explained by ``scheduling.group_explain``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from .engine import list_availability
from .hours import RuleCache, open_windows
from .intervals import Span, intersect, subtract
from .model import (
    COLLECTIVE,
    Participant,
    Rules,
    SpecificHours,
    WeeklyHours,
)
from .roundrobin import Rotation, round_robin_order
from .zones import local_date, offset_at, wall_to_utc, zone

OUTSIDE_OPEN_HOURS = "outside_open_hours"
EXDATE = "exdate"
SPECIFIC_DATE = "specific_date"
BUSY = "busy"
BUFFER = "buffer"
OUTSIDE_WINDOW = "outside_window"
BEFORE_NOTICE = "before_min_booking_notice"
BEYOND_HORIZON = "beyond_available_days_in_future"
EXPIRED = "expired"
NOT_ON_GRID = "not_on_grid"
NO_GROUP_MEETING = "no_group_meeting"
BOOKING_LIMIT = "booking_limit"
HELD = "held"
FULL = "full"
OTHER_HOSTS_MEETING = "another_hosts_meeting"
NOT_THIS_HOSTS_TURN = "not_this_hosts_turn"
NO_HOSTS = "no_hosts"

PRECEDENCE = (
    NO_HOSTS,
    OUTSIDE_OPEN_HOURS,
    EXDATE,
    SPECIFIC_DATE,
    BUSY,
    BUFFER,
    OUTSIDE_WINDOW,
    BEFORE_NOTICE,
    BEYOND_HORIZON,
    EXPIRED,
    NOT_ON_GRID,
    NO_GROUP_MEETING,
    BOOKING_LIMIT,
    HELD,
    FULL,
    OTHER_HOSTS_MEETING,
    NOT_THIS_HOSTS_TURN,
)
_RANK = {code: i for i, code in enumerate(PRECEDENCE)}
# Reasons that belong to the request, not to one participant: they block everyone alike.
SHARED = frozenset(
    {
        NO_HOSTS,
        OUTSIDE_WINDOW,
        BEFORE_NOTICE,
        BEYOND_HORIZON,
        EXPIRED,
        NOT_ON_GRID,
        NO_GROUP_MEETING,
        FULL,
    }
)
BLOCK_CODES = frozenset({BOOKING_LIMIT, HELD})

Details = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class BusyEvent:
    """Where a busy span came from, for callers allowed to say (the organizer's calendars)."""

    start: int
    end: int
    event_id: str
    calendar_id: str


@dataclass(frozen=True, slots=True)
class Block:
    """A busy-like span from a rule outside the engine: ``code`` is BOOKING_LIMIT or HELD;
    ``detail`` names the limit ("per_day", ...) or the hold."""

    start: int
    end: int
    code: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    email: str | None = None  # None: a reason of the request, shared by everyone
    details: Details = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParticipantExplanation:
    email: str
    reasons: list[Reason]


@dataclass(frozen=True, slots=True)
class Explanation:
    start: int
    end: int
    offered: bool
    emails: tuple[str, ...]  # who takes the offered slot (the listing's slot emails)
    reasons: list[Reason]  # empty exactly when offered
    participants: list[ParticipantExplanation]
    blocked_by: list[str]  # participants whose own reasons stop it (collective, round robin)
    order: list[str]  # the round-robin order the listing used ([] for collective)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The window and the scheduler's edges, each kept apart so each can be named."""

    window_start: int
    window_end: int
    not_before: int | None = None  # now + min_booking_notice
    horizon: int | None = None  # the end of available_days_in_future
    expired: bool = False  # the scheduler's expire_after has closed it: nothing is offered


def with_blocks(
    participants: Sequence[Participant], blocks: Mapping[str, Sequence[Block]]
) -> list[Participant]:
    """The participants as the listing sees them: holds added to their busy time, limits
    reached to their ``limited`` spans."""
    out = []
    for p in participants:
        extra = blocks.get(p.email, ())
        held = [(b.start, b.end) for b in extra if b.code != BOOKING_LIMIT]
        limited = [(b.start, b.end) for b in extra if b.code == BOOKING_LIMIT]
        if held:
            p = replace(p, busy=sorted({*p.busy, *held}))
        if limited:
            p = replace(p, limited=sorted({*p.limited, *limited}))
        out.append(p)
    return out


def explain_times(
    participants: Sequence[Participant],
    bounds: Bounds,
    rules: Rules,
    times: Sequence[int],
    *,
    events: Mapping[str, Sequence[BusyEvent]] | None = None,
    blocks: Mapping[str, Sequence[Block]] | None = None,
) -> list[Explanation]:
    """One explanation per time in ``times`` (in that order) of a slot starting then.

    ``events`` (per email) name the events behind busy spans; a span with no entry is
    explained as plain "busy". ``blocks`` (per email) are added to busy time (``with_blocks``).
    """
    blocks = blocks or {}
    people = with_blocks(participants, blocks)
    hi = bounds.window_end if bounds.horizon is None else min(bounds.window_end, bounds.horizon)
    if bounds.expired:
        hi = bounds.window_start
    result, rotation = list_availability(
        people, bounds.window_start, hi, rules, not_before=bounds.not_before
    )
    offered = {s.start: s for s in result.slots}
    starts = sorted(offered)
    span = None
    if times:
        lo, hi = min(times), max(times) + rules.duration
        span = (lo, hi) if hi - lo <= _SHARED_EXPANSION else None
    context = _Explain(people, bounds, rules, events or {}, blocks, starts, rotation, span)
    out = []
    for t in times:
        slot = offered.get(t)
        out.append(context.explain(t, slot.emails if slot else None, result.order))
    return out


def refused(
    t: int,
    u: int,
    shared: list[Reason],
    per: list[ParticipantExplanation],
    *,
    collective: bool,
    order: list[str],
) -> Explanation:
    """A time not offered, with the request's reasons (``shared``) and each participant's."""
    flat = [*shared, *(r for x in per for r in x.reasons if r.code not in SHARED)]
    # Collective: those with reasons of their own (a grid miss is nobody's doing); round
    # robin: every host, since any one of them free on the grid would have taken it.
    blocked_by = [
        x.email
        for x in per
        if (any(r.code not in SHARED for r in x.reasons) if collective else x.reasons)
    ]
    return Explanation(t, u, False, (), ordered_reasons(flat), per, blocked_by, order)


class _Explain:
    def __init__(
        self,
        people: Sequence[Participant],
        bounds: Bounds,
        rules: Rules,
        events: Mapping[str, Sequence[BusyEvent]],
        blocks: Mapping[str, Sequence[Block]],
        starts: list[int],
        rotation: Rotation | None,
        span: Span | None,
    ) -> None:
        self.people = people
        self.bounds = bounds
        self.rules = rules
        self.events = {e: {(b.start, b.end): b for b in evs} for e, evs in events.items()}
        self.blocks = {e: {(b.start, b.end): b for b in bs} for e, bs in blocks.items()}
        self.starts = starts
        self.rotation = rotation  # max-fairness when its cut shaped the listing
        self.busy = {p.email: _BusyIndex([*p.busy, *p.limited]) for p in people}
        self.span = span
        self.open: dict[tuple[str, bool], _OpenIndex] = {}
        self.rule_cache: RuleCache = {}

    def explain(self, t: int, emails: tuple[str, ...] | None, order: list[str]) -> Explanation:
        u = t + self.rules.duration
        shared = self._bounds_reasons(t, u)
        if not self.people:
            shared.insert(0, Reason(NO_HOSTS, "there is nobody to host it"))
        own = {p.email: self._own_reasons(p, t, u) for p in self.people}
        # The group the listing drew from: everyone, or (max-fairness) the hosts whose turn it
        # is; someone a limit passed over is out of it by their limit, not by their turn.
        rotation = self.rotation
        kept = None if rotation is None else rotation.keep(t)
        passed = set() if rotation is None else rotation.skipped(t)
        group = [p.email for p in self.people if kept is None or p.email in kept]
        free = [e for e in group if not own[e]]
        collective = self.rules.method == COLLECTIVE
        grid_applies = not shared and bool(free) and (not collective or len(free) == len(group))
        if emails is None and grid_applies:
            shared.append(self._grid_reason(t))
        per: list[ParticipantExplanation] = []
        for p in self.people:
            reasons = own[p.email]
            if kept is not None and p.email not in kept and p.email not in passed:
                reasons.append(self._turn_reason(p.email, kept, passed))
            mine = [r for r in shared if r.code != NOT_ON_GRID or p.email in free]
            per.append(ParticipantExplanation(p.email, ordered_reasons([*mine, *reasons])))
        if emails is not None:
            return Explanation(t, u, True, emails, [], per, [], order)
        return refused(t, u, shared, per, collective=collective, order=order)

    # -- the request's edges ----------------------------------------------------------------

    def _bounds_reasons(self, t: int, u: int) -> list[Reason]:
        b = self.bounds
        out: list[Reason] = []
        if t < b.window_start or u > b.window_end:
            out.append(
                Reason(
                    OUTSIDE_WINDOW,
                    "outside the requested window",
                    details={"window": [b.window_start, b.window_end]},
                )
            )
        if b.not_before is not None and t < b.not_before:
            out.append(
                Reason(
                    BEFORE_NOTICE,
                    "starts before the minimum booking notice allows",
                    details={"earliest_start": b.not_before},
                )
            )
        if b.horizon is not None and u > b.horizon:
            out.append(
                Reason(
                    BEYOND_HORIZON,
                    "ends after the last day offered (available_days_in_future)",
                    details={"latest_end": b.horizon},
                )
            )
        if b.expired:
            out.append(Reason(EXPIRED, "the scheduler's expire_after has closed it"))
        return out

    def _grid_reason(self, t: int) -> Reason:
        rules = self.rules
        i = bisect_left(self.starts, t)
        before = self.starts[i - 1] if i > 0 else None
        after = self.starts[i] if i < len(self.starts) else None
        step = rules.interval if rules.interval is not None else rules.duration
        return Reason(
            NOT_ON_GRID,
            "free, but not one of the offered start times (interval and round_to)",
            details={
                "interval_minutes": _minutes(step),
                "round_to_minutes": _minutes(rules.round_to),
                "round_to_timezone": rules.round_to_timezone,
                "nearest": [x for x in (before, after) if x is not None],
            },
        )

    def _turn_reason(self, email: str, kept: Sequence[str], passed: set[str]) -> Reason:
        full = round_robin_order(self.people)
        details: dict[str, object] = {
            "position": full.index(email) + 1,
            "next_in_turn": list(kept),
        }
        if passed:
            # The hosts a booking limit passes over for this slot.
            details["passed_over_at_limit"] = [e for e in full if e in passed]
        return Reason(
            NOT_THIS_HOSTS_TURN,
            "not this host's turn (max-fairness offers the least recently booked first)",
            email,
            details,
        )

    # -- one participant --------------------------------------------------------------------

    def _own_reasons(self, p: Participant, t: int, u: int) -> list[Reason]:
        return [*_hours_reasons(p, t, u, self._uncovered), *self._busy_reasons(p, t, u)]

    def _uncovered(self, p: Participant, t: int, u: int, plain: bool) -> list[Span]:
        """The part of [t, u) outside p's open hours. Coverage does not depend on the window
        the hours are expanded over, so they are expanded once over all asked times when
        those are near each other, else over each time alone."""
        if self.span is None:
            return subtract([(t, u)], open_windows(plain_hours(p) if plain else p, t, u))
        found = self.open.get((p.email, plain))
        if found is None:
            hours = plain_hours(p) if plain else p
            found = _OpenIndex(open_windows(hours, *self.span, cache=self.rule_cache))
            self.open[(p.email, plain)] = found
        return found.uncovered(t, u)

    def _busy_reasons(self, p: Participant, t: int, u: int) -> list[Reason]:
        before, after = self.rules.buffer_before, self.rules.buffer_after
        events = self.events.get(p.email, {})
        blocks = self.blocks.get(p.email, {})
        out: list[Reason] = []
        for s, e in self.busy[p.email].near(t - after, u + before):
            if s < u and t < e:
                out.append(self._span_reason(p.email, s, e, events, blocks))
            elif s - before < u and t < e + after:
                what = self._span_reason(p.email, s, e, events, blocks)
                out.append(buffer_reason(p.email, u <= s, before, after, what))
        return out

    def _span_reason(
        self,
        email: str,
        s: int,
        e: int,
        events: Mapping[Span, BusyEvent],
        blocks: Mapping[Span, Block],
    ) -> Reason:
        block = blocks.get((s, e))
        if block is not None:
            if block.code == HELD:
                return Reason(HELD, "held by another guest", email, {"span": [s, e]})
            return Reason(
                BOOKING_LIMIT,
                f"a booking limit is reached ({block.detail or 'limit'})",
                email,
                {"limit": block.detail, "period": [s, e]},
            )
        event = events.get((s, e))
        if event is None:
            return Reason(BUSY, "busy", email)
        return Reason(
            BUSY,
            f"busy with event {event.event_id}",
            email,
            {"event_id": event.event_id, "calendar_id": event.calendar_id, "span": [s, e]},
        )


def buffer_reason(email: str, before_it: bool, before: int, after: int, what: Reason) -> Reason:
    """``email`` cannot take a time because it lies within a buffer of what ``what`` names:
    the meeting would end within ``before`` of it (``before_it``), or start within ``after``."""
    side = "before" if before_it else "after"
    return Reason(
        BUFFER,
        f"within the {side} buffer of: {what.message}",
        email,
        {
            "side": side,
            "minutes": _minutes(before if before_it else after),
            "of": {"code": what.code, **what.details},
        },
    )


# Asked times within this many seconds of each other share one open-hours expansion.
_SHARED_EXPANSION = 800 * 86400


class _OpenIndex:
    """Open spans (normalised), sliced by bisecting to the ones near a time."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def uncovered(self, t: int, u: int) -> list[Span]:
        first = max(0, bisect_right(self.starts, t) - 1)
        last = bisect_left(self.starts, u)
        return subtract([(t, u)], self.spans[first:last])


class _BusyIndex:
    """A participant's busy spans one by one (each is a reason; empty and repeated ones
    dropped), found near a time by bisecting: a span overlapping [lo, hi) starts before hi
    and no earlier than lo minus the longest span."""

    def __init__(self, busy: Sequence[Span]) -> None:
        self.spans = sorted({(s, e) for s, e in busy if s < e})
        self.starts = [s for s, _ in self.spans]
        self.longest = max((e - s for s, e in self.spans), default=0)

    def near(self, lo: int, hi: int) -> list[Span]:
        first = bisect_left(self.starts, lo - self.longest)
        last = bisect_left(self.starts, hi)
        return [(s, e) for s, e in self.spans[first:last] if e > lo]


def _minutes(seconds: int) -> int | float:
    return seconds // 60 if seconds % 60 == 0 else seconds / 60


def ordered_reasons(reasons: list[Reason]) -> list[Reason]:
    return sorted(reasons, key=lambda r: _RANK[r.code])  # stable: equal codes keep their order


# -- open hours ---------------------------------------------------------------------------------


# (participant, start, end, weekly rules only) -> the part of [start, end) outside the hours.
Uncovered = Callable[[Participant, int, int, bool], list[Span]]


def _hours_reasons(p: Participant, t: int, u: int, uncovered_of: Uncovered) -> list[Reason]:
    """Why [t, u) is not inside p's open hours (nothing if it is), as the engine expands them."""
    uncovered = uncovered_of(p, t, u, False)
    if not uncovered:
        return []
    days = _days_touched(p, t, u)
    overridden = {s.date for s in p.specific}
    out: list[Reason] = []
    if p.only_specific or uncovered_of(p, t, u, True):
        out.append(_outside(p, t, u, uncovered, days, overridden))
    for i, rule in enumerate(() if p.only_specific else p.open_hours):
        for day in days.get(rule.timezone, []):
            if day in rule.exdates and day not in overridden and _would_open(rule, day, uncovered):
                out.append(
                    Reason(
                        EXDATE,
                        f"{day.isoformat()} is an exdate of open-hours rule {i + 1}",
                        p.email,
                        {"rule": i, "date": day.isoformat(), "timezone": rule.timezone},
                    )
                )
    touched = {d for ds in days.values() for d in ds}
    for day in sorted(overridden & touched):
        entries = [s for s in p.specific if s.date == day]
        out.append(
            Reason(
                SPECIFIC_DATE,
                f"{day.isoformat()} has its own hours, which do not cover it",
                p.email,
                {"date": day.isoformat(), "hours": [_entry(s) for s in entries]},
            )
        )
    return out or [_outside(p, t, u, uncovered, days, overridden)]


def plain_hours(p: Participant) -> Participant:
    """``p`` with its weekly rules only: no exdates, no date overrides."""
    return replace(
        p, open_hours=[replace(r, exdates=frozenset()) for r in p.open_hours], specific=()
    )


def _would_open(rule: WeeklyHours, day: date, uncovered: list[Span]) -> bool:
    """Whether ``rule`` without its exdates would open part of ``uncovered`` on ``day``."""
    if day.weekday() not in rule.days:
        return False
    tz = zone(rule.timezone)
    end_minute = 1440 if rule.end_minute == 0 else rule.end_minute
    span = (wall_to_utc(tz, day, rule.start_minute), wall_to_utc(tz, day, end_minute))
    return span[0] < span[1] and bool(intersect([span], uncovered))


def _days_touched(p: Participant, t: int, u: int) -> dict[str, list[date]]:
    """Per zone of p's rules and date overrides, the local dates [t, u) lies on."""
    names = {r.timezone for r in p.open_hours} | {s.timezone for s in p.specific} or {"UTC"}
    out: dict[str, list[date]] = {}
    for name in sorted(names):
        tz = zone(name)
        day, last = local_date(tz, t), local_date(tz, max(t, u - 1))
        found = []
        while day <= last:
            found.append(day)
            day += timedelta(days=1)
        out[name] = found
    return out


def _outside(
    p: Participant,
    t: int,
    u: int,
    uncovered: list[Span],
    days: Mapping[str, list[date]],
    overridden: set[date],
) -> Reason:
    if p.only_specific:
        note = "only specific dates are open"
        rules: list[dict[str, object]] = []
    elif not p.open_hours:
        note = "open all the time except on dates with their own hours"
        rules = []
    else:
        note = "outside every open-hours rule"
        rules = [
            _rule_day(i, rule, day, overridden)
            for i, rule in enumerate(p.open_hours)
            for day in days.get(rule.timezone, [])
        ]
    return Reason(
        OUTSIDE_OPEN_HOURS,
        note,
        p.email,
        {"uncovered": [list(s) for s in uncovered], "rules": rules},
    )


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _rule_day(i: int, rule: WeeklyHours, day: date, overridden: set[date]) -> dict[str, object]:
    """What rule ``i`` opens on local date ``day``, with the date's clock change if any."""
    tz = zone(rule.timezone)
    end_minute = 1440 if rule.end_minute == 0 else rule.end_minute
    opens = day.weekday() in rule.days and day not in rule.exdates and day not in overridden
    out: dict[str, object] = {
        "rule": i,
        "timezone": rule.timezone,
        "local_date": day.isoformat(),
        "weekday": _WEEKDAYS[day.weekday()],
        "days": [_WEEKDAYS[d] for d in sorted(rule.days)],
        "hours": f"{_hhmm(rule.start_minute)}-{_hhmm(end_minute)}",
        "open": [wall_to_utc(tz, day, rule.start_minute), wall_to_utc(tz, day, end_minute)]
        if opens and end_minute > rule.start_minute
        else None,
        "dst": _clock_change(rule.timezone, day),
    }
    return out


def _clock_change(name: str, day: date) -> dict[str, str] | None:
    """The offsets before and after a clock change on local ``day`` in zone ``name``."""
    found = _offsets_of_day(name, day)
    if found is None:
        return None
    return {"offset_before": found[0], "offset_after": found[1]}


@lru_cache(maxsize=4096)
def _offsets_of_day(name: str, day: date) -> tuple[str, str] | None:
    tz = zone(name)
    first = offset_at(tz, wall_to_utc(tz, day, 0))
    last = offset_at(tz, wall_to_utc(tz, day + timedelta(days=1), 0) - 1)
    if first == last:
        return None
    return _offset(first), _offset(last)


def _offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _entry(spec: SpecificHours) -> str:
    if spec.start_minute == 0 and spec.end_minute == 0:
        return f"closed ({spec.timezone})"
    end = 1440 if spec.end_minute == 0 else spec.end_minute
    return f"{_hhmm(spec.start_minute)}-{_hhmm(end)} ({spec.timezone})"

"""Brute-force reference implementations, for tests and the benchmark only.

They answer the same questions as the engine the slow, obvious way: free time is a point
predicate tested against every open window and every busy interval, free stretches come from
cutting time at every boundary and testing each piece, and every candidate start is checked
against every person. Rounding walks the wall clock forward instead of doing arithmetic. The
only shared code is the open-hours expansion (its DST policy has its own table tests) and
input validation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from math import gcd
from zoneinfo import ZoneInfo

from .consecutive import MAX_LIMIT, validate_meetings
from .hours import open_windows
from .model import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    AvailabilityResult,
    MeetingSpec,
    Participant,
    Rules,
    Slot,
    validate_participants,
    validate_rules,
)


class _Person:
    def __init__(self, p: Participant, lo: int, hi: int, rules: Rules) -> None:
        self.email = p.email
        self.lo = lo
        self.hi = hi
        self.windows = open_windows(p, lo, hi) if lo < hi else []
        self.busy = [
            (s - rules.buffer_before, e + rules.buffer_after)
            for s, e in [*p.busy, *p.limited]
            if s < e
        ]
        # Widened limit spans: a slot overlapping one is passed over for this person's turn.
        self.limited = [
            (s - rules.buffer_before, e + rules.buffer_after) for s, e in p.limited if s < e
        ]

    def at_limit_for(self, s: int, e: int) -> bool:
        return any(a < e and s < b for a, b in self.limited)

    def free_at(self, t: int) -> bool:
        if not self.lo <= t < self.hi:
            return False
        if not any(a <= t < b for a, b in self.windows):
            return False
        return not any(a <= t < b for a, b in self.busy)

    def free_for(self, s: int, e: int) -> bool:
        if s < self.lo or e > self.hi or s >= e:
            return False
        if any(a < e and s < b for a, b in self.busy):
            return False
        # Open coverage can only break at s or where some window ends inside (s, e).
        points = [s] + [b for _, b in self.windows if s < b < e]
        return all(any(a <= x < b for a, b in self.windows) for x in points)

    def boundaries(self) -> list[int]:
        pts = [self.lo, self.hi]
        for a, b in [*self.windows, *self.busy]:
            pts += [a, b]
        return pts


def _stretches(
    points: Iterable[int], lo: int, hi: int, free: Callable[[int], bool]
) -> list[tuple[int, int]]:
    """Maximal runs where ``free`` holds; it is constant between consecutive boundaries."""
    pts = sorted({p for p in points if lo <= p <= hi})
    out: list[tuple[int, int]] = []
    run: int | None = None
    for x in pts[:-1]:
        if free(x):
            if run is None:
                run = x
        elif run is not None:
            out.append((run, x))
            run = None
    if run is not None:
        out.append((run, pts[-1]))
    return out


def _snap(t: int, step: int, timezone: str) -> int:
    """First instant >= t whose wall clock, in seconds after local midnight, is a multiple."""
    if step <= 1:
        return t
    tz = ZoneInfo(timezone)
    g = gcd(step, 60)  # zone offsets are whole minutes, so a hit is a multiple of g in UTC
    u = -(-t // g) * g
    while True:
        wall = datetime.fromtimestamp(u, tz)
        if (wall.hour * 3600 + wall.minute * 60 + wall.second) % step == 0:
            return u
        u += g


def _candidates(stretches: Sequence[tuple[int, int]], duration: int, rules: Rules) -> list[int]:
    step = duration if rules.interval is None else rules.interval
    out: list[int] = []
    for a, b in stretches:
        s = _snap(a, rules.round_to, rules.round_to_timezone)
        while s + duration <= b:
            out.append(s)
            s += step
    return out


def _people(
    participants: Sequence[Participant],
    window_start: int,
    window_end: int,
    rules: Rules,
    not_before: int | None,
) -> list[_Person]:
    lo = window_start if not_before is None else max(window_start, not_before)
    return [_Person(p, lo, window_end, rules) for p in participants]


def _common_candidates(group: Sequence[_Person], duration: int, rules: Rules) -> list[int]:
    if not group:
        return []
    points = [x for person in group for x in person.boundaries()]
    lo, hi = group[0].lo, group[0].hi
    stretches = _stretches(points, lo, hi, lambda t: all(p.free_at(t) for p in group))
    return _candidates(stretches, duration, rules)


def _own_grid(person: _Person, rules: Rules) -> set[int]:
    stretches = _stretches(person.boundaries(), person.lo, person.hi, person.free_at)
    return set(_candidates(stretches, rules.duration, rules))


def _any_free(people: Sequence[_Person], rules: Rules) -> list[Slot]:
    d = rules.duration
    starts: set[int] = set()
    for person in people:
        starts.update(_own_grid(person, rules))
    slots = []
    for s in sorted(starts):
        names = tuple(p.email for p in people if p.free_for(s, s + d))
        if names:
            slots.append(Slot(s, s + d, names))
    return slots


def _cut(order: Sequence[str], strict: bool) -> list[str]:
    return list(order[:1] if strict else order[: -(-len(order) // 2)])


def _fairness(
    people: Sequence[_Person], order: Sequence[str], rules: Rules
) -> tuple[list[Slot], list[str]]:
    """max-fairness start by start: whose turn a start is is the cut of the order without the
    people at a limit for its slot; it is offered if on one of their own grids, to those of
    them free for it. The order reported: the cut, if it is the same for every start in the
    window, else the full order."""
    d = rules.duration

    def cut_at(t: int) -> list[str]:
        passed = {p.email for p in people if p.at_limit_for(t, t + d)}
        return _cut([e for e in order if e not in passed], rules.strict_rotation)

    grids = {p.email: _own_grid(p, rules) for p in people}
    slots = []
    for s in sorted(set().union(*grids.values())):
        turn = cut_at(s)
        if any(s in grids[e] for e in turn):
            names = tuple(p.email for p in people if p.email in turn and p.free_for(s, s + d))
            if names:
                slots.append(Slot(s, s + d, names))
    lo, hi = (people[0].lo, people[0].hi) if people else (0, 0)
    # Every start the cut can change at: where a widened limit span begins or ends a block.
    points = {lo} | {x for p in people for a, b in p.limited for x in (a - d + 1, b) if lo < x < hi}
    cuts = {tuple(cut_at(t)) for t in points}
    return slots, list(cuts.pop()) if len(cuts) == 1 else list(order)


def _order(participants: Sequence[Participant]) -> list[str]:
    never = sorted((p.email.casefold(), p.email) for p in participants if p.last_booked_at is None)
    booked = sorted(
        (p.last_booked_at, p.last_booked_seq, p.email.casefold(), p.email)
        for p in participants
        if p.last_booked_at is not None
    )
    return [e for _, e in never] + [b[-1] for b in booked]


def oracle_availability(
    participants: Sequence[Participant],
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    not_before: int | None = None,
) -> AvailabilityResult:
    validate_rules(rules)
    validate_participants(participants)
    people = _people(participants, window_start, window_end, rules, not_before)
    d = rules.duration
    if rules.method == COLLECTIVE:
        emails = tuple(p.email for p in people)
        slots = [
            Slot(s, s + d, emails)
            for s in _common_candidates(people, d, rules)
            if all(p.free_for(s, s + d) for p in people)
        ]
        return AvailabilityResult(slots, [])
    order = _order(participants)
    if rules.method == MAX_AVAILABILITY:
        return AvailabilityResult(_any_free(people, rules), order)
    slots, used = _fairness(people, order, rules)
    if slots or rules.strict_rotation:
        return AvailabilityResult(slots, used)
    return AvailabilityResult(_any_free(people, rules), order)


def oracle_consecutive(
    participants: Sequence[Participant],
    meetings: Sequence[MeetingSpec],
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    limit: int = MAX_LIMIT,
    not_before: int | None = None,
) -> list[list[Slot]]:
    validate_rules(rules, check_duration=False)
    validate_participants(participants)
    validate_meetings(participants, meetings, limit)
    people = {
        p.email: p for p in _people(participants, window_start, window_end, rules, not_before)
    }
    first = [people[e] for e in meetings[0].emails]
    out: list[list[Slot]] = []
    for start in _common_candidates(first, meetings[0].duration, rules):
        t = start
        chain: list[Slot] = []
        for m in meetings:
            if m.emails:
                if not all(people[e].free_for(t, t + m.duration) for e in m.emails):
                    break
                chain.append(Slot(t, t + m.duration, m.emails))
            t += m.duration
        else:
            out.append(chain)
            if len(out) == limit:
                break
    return out

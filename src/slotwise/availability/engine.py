"""compute_availability: free time per person, then the slot grid, then the method.

Per person, free time is computed once as a normalised span list:
    open hours (clipped to the window and to ``not_before``) minus busy widened by the buffers.
Methods:

* collective: the grid is laid on the stretches where *everyone* is free; every slot lists
  everybody, in input order.
* max-availability: the candidate starts are the union of each person's own grid (so nobody
  loses a slot they would get alone); each slot lists everyone free for all of it, in input
  order.
* max-fairness: max-availability over the first half (rounded up) of the round-robin order;
  if that yields nothing in the window, max-availability over everyone. With
  ``strict_rotation`` only the first person in the order is offered, and nobody else ever.

The hot path avoids per-candidate scans: who is free for a slot starting at ``s`` is decided
by a person's "feasible start" ranges ``[a, b - duration]`` (one per free stretch), and each
range claims the candidates inside it through two bisects.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence

from .grid import grid_starts
from .hours import RuleCache, open_windows
from .intervals import Span, intersect, subtract, widen
from .model import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    AvailabilityResult,
    Participant,
    Rules,
    Slot,
    validate_participants,
    validate_rules,
)
from .roundrobin import fairness_keep, round_robin_order
from .zones import Snapper


class Context:
    """What one request shares across participants: bounds, grid settings and caches."""

    def __init__(
        self, window_start: int, window_end: int, rules: Rules, not_before: int | None
    ) -> None:
        self.lo = window_start if not_before is None else max(window_start, not_before)
        self.hi = window_end
        self.rules = rules
        self.snap = Snapper(rules.round_to, rules.round_to_timezone, self.lo, max(self.lo, self.hi))
        self.rule_cache: RuleCache = {}
        self.free_cache: dict[str, list[Span]] = {}

    def free_time(self, p: Participant) -> list[Span]:
        found = self.free_cache.get(p.email)
        if found is None:
            if self.lo >= self.hi:
                found = []
            else:
                opened = open_windows(p, self.lo, self.hi, cache=self.rule_cache)
                busy = widen(p.busy, self.rules.buffer_before, self.rules.buffer_after)
                found = subtract(opened, busy)
            self.free_cache[p.email] = found
        return found


def step_of(rules: Rules, duration: int) -> int:
    return duration if rules.interval is None else rules.interval


def compute_availability(
    participants: Sequence[Participant],
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    not_before: int | None = None,
) -> AvailabilityResult:
    validate_rules(rules)
    validate_participants(participants)
    ctx = Context(window_start, window_end, rules, not_before)
    if rules.method == COLLECTIVE:
        return AvailabilityResult(collective_slots(participants, ctx), [])
    order = round_robin_order(participants)
    if rules.method == MAX_AVAILABILITY:
        return AvailabilityResult(any_free_slots(participants, ctx), order)
    keep = order[:1] if rules.strict_rotation else fairness_keep(order)
    kept = set(keep)
    slots = any_free_slots([p for p in participants if p.email in kept], ctx)
    if slots or rules.strict_rotation:
        return AvailabilityResult(slots, keep)
    # Fallback: nobody in the kept half can meet in this window, so offer everyone and say so
    # by returning the full order.
    return AvailabilityResult(any_free_slots(participants, ctx), order)


def collective_slots(participants: Sequence[Participant], ctx: Context) -> list[Slot]:
    if not participants:
        return []
    # Intersect person by person and stop at the first empty result: with many people a
    # collective request usually dies early, and later people's calendars need not be read.
    common = ctx.free_time(participants[0])
    for p in participants[1:]:
        if not common:
            break
        common = intersect(common, ctx.free_time(p))
    d = ctx.rules.duration
    emails = tuple(p.email for p in participants)
    starts = grid_starts(common, d, step_of(ctx.rules, d), ctx.snap)
    return [Slot(s, s + d, emails) for s in starts]


def any_free_slots(participants: Sequence[Participant], ctx: Context) -> list[Slot]:
    d = ctx.rules.duration
    step = step_of(ctx.rules, d)
    frees = [ctx.free_time(p) for p in participants]
    candidates: set[int] = set()
    for free in frees:
        candidates.update(grid_starts(free, d, step, ctx.snap))
    starts = sorted(candidates)
    n = len(starts)
    # Each feasible-start range of a person becomes "joins at candidate i, leaves at j".
    joins: list[list[int]] = [[] for _ in range(n + 1)]
    leaves: list[list[int]] = [[] for _ in range(n + 1)]
    for idx, free in enumerate(frees):
        for a, b in free:
            if b - a < d:
                continue
            i = bisect_left(starts, a)
            j = bisect_right(starts, b - d)
            if i < j:
                joins[i].append(idx)
                leaves[j].append(idx)
    emails = [p.email for p in participants]
    pick = emails.__getitem__
    # Sweep the candidates keeping the free people sorted by input position; the email tuple
    # is rebuilt only where someone joins or leaves, and shared by the slots in between.
    active: list[int] = []
    names: tuple[str, ...] = ()
    out: list[Slot] = []
    for k, s in enumerate(starts):
        if joins[k] or leaves[k]:
            for idx in leaves[k]:
                active.remove(idx)
            for idx in joins[k]:
                insort(active, idx)
            names = tuple(map(pick, active))
        out.append(Slot(s, s + d, names))
    return out


def find_slot(
    participants: Sequence[Participant],
    start: int,
    end: int,
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    not_before: int | None = None,
) -> Slot | None:
    """The offered slot ``[start, end)``, or None if the same request would not offer it.

    For re-checking a booking: pass the window the slots were listed for, because the grid is
    anchored on free stretches clipped to the window.
    """
    result = compute_availability(
        participants, window_start, window_end, rules, not_before=not_before
    )
    for slot in result.slots:
        if slot.start == start and slot.end == end:
            return slot
    return None

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
  Someone at a booking limit (``Participant.limited``) is left out of the order for the
  slots the limit blocks, so the cut moves on to the next in line there
  (``roundrobin.Rotation``).

max-availability has two paths with one result (``lattice_slots`` for the common grid where
every stretch offers each lattice point inside it, ``swept_slots`` for any grid); the
property tests hold both to the brute-force oracle and to each other.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from itertools import chain, repeat

from .grid import grid_runs, grid_starts, union_of_runs
from .hours import RuleCache, open_windows
from .intervals import Span, intersect, subtract_busy
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
from .roundrobin import Piece, Rotation, round_robin_order
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
                rules = self.rules
                busy = [*p.busy, *p.limited] if p.limited else p.busy
                found = subtract_busy(opened, busy, rules.buffer_before, rules.buffer_after)
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
    return list_availability(participants, window_start, window_end, rules, not_before=not_before)[
        0
    ]


def list_availability(
    participants: Sequence[Participant],
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    not_before: int | None = None,
) -> tuple[AvailabilityResult, Rotation | None]:
    """``compute_availability``, and the max-fairness rotation that cut its slots (None for
    the other methods and when max-fairness fell back to everyone): what explanations need
    to say whose turn a slot was."""
    validate_rules(rules)
    validate_participants(participants)
    ctx = Context(window_start, window_end, rules, not_before)
    if rules.method == COLLECTIVE:
        return AvailabilityResult(collective_slots(participants, ctx), []), None
    order = round_robin_order(participants)
    if rules.method == MAX_AVAILABILITY:
        return AvailabilityResult(any_free_slots(participants, ctx), order), None
    rotation = Rotation(participants, rules)
    pieces = rotation.pieces(ctx.lo, ctx.hi)
    slots = rotated_slots(participants, ctx, pieces)
    if slots or rules.strict_rotation:
        # The order used: the cut, or the full order when the cut changes in the window.
        used = list(pieces[0][2]) if len(pieces) == 1 else order
        return AvailabilityResult(slots, used), rotation
    # Fallback: nobody in the kept half can meet in this window, so offer everyone and say so
    # by returning the full order.
    return AvailabilityResult(any_free_slots(participants, ctx), order), None


def rotated_slots(
    participants: Sequence[Participant], ctx: Context, pieces: Sequence[Piece]
) -> list[Slot]:
    """max-availability over the participants whose turn it is, piece by piece: each piece's
    slots are those of its own cut listed over the whole window (so the grid is the window's),
    kept where they start in the piece."""
    if len(pieces) == 1:
        kept = set(pieces[0][2])
        return any_free_slots([p for p in participants if p.email in kept], ctx)
    listed: dict[tuple[str, ...], tuple[list[Slot], list[int]]] = {}
    out: list[Slot] = []
    for a, b, keep in pieces:
        found = listed.get(keep)
        if found is None:
            kept = set(keep)
            slots = any_free_slots([p for p in participants if p.email in kept], ctx)
            found = listed[keep] = (slots, [s.start for s in slots])
        slots, starts = found
        out += slots[bisect_left(starts, a) : bisect_left(starts, b)]
    return out


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
    emails = [p.email for p in participants]
    on_lattice = lattice_slots(frees, emails, d, step, ctx.snap)
    if on_lattice is not None:
        return on_lattice
    return swept_slots(frees, emails, d, step, ctx.snap)


def swept_slots(
    frees: Sequence[Sequence[Span]],
    emails: Sequence[str],
    d: int,
    step: int,
    snap: Snapper,
) -> list[Slot]:
    """``any_free_slots`` in general: candidates from everyone's grid, then who is free.

    The candidate starts are the union of each person's own grid; who is free for a slot
    starting at ``s`` is decided by a person's "feasible start" ranges ``[a, b - d]`` (one per
    free stretch), and each range claims the candidates inside it through two bisects.
    """
    starts = union_of_runs(
        chain.from_iterable(grid_runs(free, d, step, snap) for free in frees), step
    )
    # Each feasible-start range ``[a, b - d]`` of person ``idx`` becomes "joins at candidate
    # i, leaves at candidate j", encoded as one int ``position * 2n + (n if join) + idx`` so
    # that a plain int sort orders the changes by position, leaves first.
    n = len(frees)
    width = 2 * n
    changes: list[int] = []
    add = changes.append
    for idx, free in enumerate(frees):
        join = n + idx
        for a, b in free:
            if b - a < d:
                continue
            i = bisect_left(starts, a)
            j = bisect_right(starts, b - d)
            if i < j:
                add(i * width + join)
                add(j * width + idx)
    changes.sort()
    # Sweep the changes keeping the free people sorted by input position; between two change
    # positions every candidate lists the same people, so their slots share one email tuple.
    ends = [s + d for s in starts]
    active: list[int] = []
    names: tuple[str, ...] = ()
    out: list[Slot] = []
    done = 0
    k = 0
    total = len(changes)
    while k < total:
        at = changes[k] // width
        if at > done:
            out += _slots(starts[done:at], ends[done:at], repeat(names, at - done))
            done = at
        base = at * width
        limit = base + width
        while k < total and (key := changes[k]) < limit:
            rem = key - base
            if rem >= n:
                insort(active, rem - n)
            else:
                active.remove(rem)
            k += 1
        names = tuple(map(emails.__getitem__, active))
    out += _slots(starts[done:], ends[done:], repeat(names, len(starts) - done))
    return out


def lattice_slots(
    frees: Sequence[Sequence[Span]],
    emails: Sequence[str],
    d: int,
    step: int,
    snap: Snapper,
) -> list[Slot] | None:
    """``any_free_slots`` when every stretch's grid is "each lattice point inside it", or None.

    That holds when the grids of all stretches lie on one lattice (instants ``phase + k *
    step``) and each starts at the first lattice point of its stretch, as with ``round_to``
    equal to the interval in a zone whose offset does not change in the window. Then a
    person's own grid in a stretch is exactly the set of starts they are free for, so each
    lattice position can collect, in input order, the people whose grids hold it: no list of
    candidates, no search in it, no sweep. Returns None, to take the general path, as soon as
    one stretch breaks the condition, or when the positions would be far more than the starts
    they hold (free time spread thinly over a long window).
    """
    phase = -1
    runs: list[tuple[int, int, str]] = []  # [first position, end position), whose
    add = runs.append
    for email, free in zip(emails, frees, strict=True):
        long = [(a, b) for a, b in free if b - a >= d]
        for first, (a, b) in zip(snap.many([a for a, _ in long]), long, strict=True):
            last = b - d
            if first > last:
                continue
            if first - a >= step:
                return None  # the grid skips lattice points of its stretch
            if phase != first % step:
                if phase >= 0:
                    return None  # a second lattice
                phase = first % step
            add((first // step, (last - phase) // step + 1, email))
    if not runs:
        return []
    lo = min([run[0] for run in runs])
    span = max([run[1] for run in runs]) - lo
    if span > 4 * sum([b - a for a, b, _ in runs]) + 1024:
        return None
    at: list[list[str]] = [[] for _ in range(span)]
    for a, b, email in runs:  # people in input order, so every list is in input order
        for here in at[a - lo : b - lo]:
            here.append(email)
    starts = [(lo + k) * step + phase for k, here in enumerate(at) if here]
    people = [tuple(here) for here in at if here]
    return list(_slots(starts, [s + d for s in starts], people))


def _slots(
    starts: Iterable[int], ends: Iterable[int], people: Iterable[tuple[str, ...]]
) -> map[Slot]:
    # tuple.__new__ straight from C: the named tuple's own __new__ is a Python call per slot.
    return map(tuple.__new__, repeat(Slot), zip(starts, ends, people, strict=True))


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

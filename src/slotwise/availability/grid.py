"""The slot grid: which start instants are offered inside free time.

The grid is anchored per free stretch, not on the request window: in every maximal free
stretch the first candidate is the stretch start snapped up to ``round_to`` (see
``zones.Snapper``), then one every ``interval`` seconds while the slot still ends inside the
stretch. So "free from 09:59, round_to 15, interval 15, 30-minute slots" offers 10:00, 10:15,
... and a stretch that starts at 10:05 with no rounding offers 10:05, 10:10, ... even if the
window started at 09:00. Whose free stretches anchor the grid depends on the method (see
``engine``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import chain

from .intervals import Span
from .zones import Snapper

# A stretch's starts as an arithmetic run: ``first, first + step, ..., last`` (``last`` is on
# the run, inclusive).
Run = tuple[int, int]


def grid_starts(
    stretches: Sequence[Span], duration: int, step: int, snap: Callable[[int], int]
) -> list[int]:
    out: list[int] = []
    for start, end in stretches:
        first = snap(start)
        last = end - duration
        if first <= last:
            out.extend(range(first, last + 1, step))
    return out


def grid_runs(stretches: Sequence[Span], duration: int, step: int, snap: Snapper) -> list[Run]:
    """``grid_starts`` of each stretch as a run, without listing the starts."""
    firsts = snap.many([start for start, _ in stretches])
    return [
        (first, last - (last - first) % step)
        for first, (_, end) in zip(firsts, stretches, strict=True)
        if first <= (last := end - duration)
    ]


def union_of_runs(runs: Iterable[Run], step: int) -> list[int]:
    """The sorted, distinct starts of many runs of one step.

    Runs whose firsts agree modulo ``step`` lie on one lattice, where the union of runs is a
    union of intervals: merged without listing a start twice. Many people's grids usually share
    one lattice (a common ``round_to``), so this replaces a set of every person's starts with a
    sort of their runs. Starts of different lattices never coincide.
    """
    lattices: dict[int, list[Run]] = {}
    for run in runs:
        phase = run[0] % step
        group = lattices.get(phase)
        if group is None:
            lattices[phase] = [run]
        else:
            group.append(run)
    pieces: list[range] = []
    for group in lattices.values():
        group.sort()
        lo, hi = group[0]
        for first, last in group:
            if first <= hi + step:
                if last > hi:
                    hi = last
            else:
                pieces.append(range(lo, hi + 1, step))
                lo, hi = first, last
        pieces.append(range(lo, hi + 1, step))
    if len(lattices) == 1:
        return list(chain.from_iterable(pieces))
    return sorted(chain.from_iterable(pieces))

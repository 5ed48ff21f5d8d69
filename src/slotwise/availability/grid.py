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

from collections.abc import Callable, Sequence

from .intervals import Span


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

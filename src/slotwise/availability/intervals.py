"""Half-open integer spans ``[start, end)`` and the set algebra the engine is built on.

Every function takes and returns *normalised* span lists (sorted, non-empty, disjoint and
non-touching) unless it says otherwise; ``merge`` is the only way in from raw data. Touching
spans are joined on purpose: a person free until 12:00 and again from 12:00 is free across
noon, and the slot grid is anchored per free stretch, so the stretches must be maximal.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

Span = tuple[int, int]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Normalise raw spans (any order, overlapping, touching or empty) into a span list."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def union(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    return merge([*a, *b])


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Spans covered by both lists (two-pointer walk, linear in the inputs)."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        # Advance whichever span finishes first; the other may still overlap the next one.
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def intersect_all(lists: Sequence[Sequence[Span]]) -> list[Span]:
    if not lists:
        return []
    # Start from the shortest list: the result can only shrink.
    ordered = sorted(lists, key=len)
    acc = list(ordered[0])
    for other in ordered[1:]:
        if not acc:
            break
        acc = intersect(acc, other)
    return acc


def subtract(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Spans of ``a`` not covered by ``b``."""
    out: list[Span] = []
    j = 0
    for start, end in a:
        # Skip holes that end before this span starts; they cannot touch later spans either.
        while j < len(b) and b[j][1] <= start:
            j += 1
        cur = start
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < end:
            out.append((cur, end))
    return out


def clip(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        start = max(start, lo)
        end = min(end, hi)
        if start < end:
            out.append((start, end))
    return out


def widen(spans: Iterable[Span], before: int, after: int) -> list[Span]:
    """Grow every span by ``before`` at its start and ``after`` at its end, then normalise."""
    return merge((start - before, end + after) for start, end in spans if start < end)


def covers(spans: Sequence[Span], starts: Sequence[int], start: int, end: int) -> bool:
    """True if ``[start, end)`` lies inside one span; ``starts`` is ``[s for s, _ in spans]``.

    Because the list is normalised, containment in the union equals containment in one span.
    """
    i = bisect_right(starts, start) - 1
    return i >= 0 and end <= spans[i][1]

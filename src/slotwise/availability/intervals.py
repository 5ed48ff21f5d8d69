"""Half-open integer spans ``[start, end)`` and the set algebra the engine is built on.

Every function takes and returns *normalised* span lists (sorted, non-empty, disjoint and
non-touching) unless it says otherwise; ``merge`` is the only way in from raw data. Touching
spans are joined on purpose: a person free until 12:00 and again from 12:00 is free across
noon, and the slot grid is anchored per free stretch, so the stretches must be maximal.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from operator import itemgetter

Span = tuple[int, int]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Normalise raw spans (any order, overlapping, touching or empty) into a span list."""
    out: list[Span] = []
    append = out.append
    lo = hi = 0
    started = False
    # Sorting on the start alone is enough (equal starts merge whatever their order), and a
    # C-level key is much cheaper than comparing tuples.
    for start, end in sorted(spans, key=_start):
        if start >= end:
            continue
        if started and start <= hi:
            if end > hi:
                hi = end
        else:
            if started:
                append((lo, hi))
            lo, hi = start, end
            started = True
    if started:
        append((lo, hi))
    return out


_start = itemgetter(0)


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
    append = out.append
    j = 0
    nb = len(b)
    for start, end in a:
        # Skip holes that end before this span starts; they cannot touch later spans either.
        while j < nb and b[j][1] <= start:
            j += 1
        cur = start
        k = j
        while k < nb:
            hole_start, hole_end = b[k]
            if hole_start >= end:
                break
            if hole_start > cur:
                append((cur, hole_start))
            if hole_end > cur:
                cur = hole_end
            k += 1
        if cur < end:
            append((cur, end))
    return out


def subtract_busy(
    spans: Sequence[Span], busy: Iterable[Span], before: int = 0, after: int = 0
) -> list[Span]:
    """``spans`` minus every busy span grown by ``before`` at its start and ``after`` at its end.

    ``busy`` may be in any order, overlap, touch or be empty: it is sorted by start (widening
    by constants keeps that order) and swept without building the merged list first.
    """
    holes = sorted(busy, key=_start)
    out: list[Span] = []
    append = out.append
    j = 0
    nb = len(holes)
    for start, end in spans:
        # Holes sort by start, not by end: skip those wholly before this span one by one.
        while j < nb and holes[j][1] + after <= start:
            j += 1
        cur = start
        k = j
        while k < nb:
            hole_start, hole_end = holes[k]
            k += 1
            if hole_start >= hole_end:
                continue  # an empty busy span hides nothing, even with buffers
            hole_start -= before
            if hole_start >= end:
                break
            if hole_start > cur:
                append((cur, hole_start))
            hole_end += after
            if hole_end > cur:
                cur = hole_end
        if cur < end:
            append((cur, end))
    return out


def clip(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        start = max(start, lo)
        end = min(end, hi)
        if start < end:
            out.append((start, end))
    return out


def covers(spans: Sequence[Span], starts: Sequence[int], start: int, end: int) -> bool:
    """True if ``[start, end)`` lies inside one span; ``starts`` is ``[s for s, _ in spans]``.

    Because the list is normalised, containment in the union equals containment in one span.
    """
    i = bisect_right(starts, start) - 1
    return i >= 0 and end <= spans[i][1]

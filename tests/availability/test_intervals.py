import pytest
from hypothesis import given
from hypothesis import strategies as st

from slotwise.availability.intervals import (
    clip,
    covers,
    intersect,
    intersect_all,
    merge,
    subtract,
    subtract_busy,
    union,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], []),
        ([(5, 5)], []),
        ([(7, 3)], []),
        ([(3, 5), (1, 2)], [(1, 2), (3, 5)]),
        ([(1, 3), (2, 5)], [(1, 5)]),
        ([(1, 3), (3, 5)], [(1, 5)]),  # touching spans join: free stretches are maximal
        ([(1, 10), (2, 3), (4, 5)], [(1, 10)]),
        ([(1, 2), (1, 2)], [(1, 2)]),
    ],
)
def test_merge(raw: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    assert merge(raw) == expected


def test_union() -> None:
    assert union([(1, 3)], [(3, 4), (6, 7)]) == [(1, 4), (6, 7)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(2, 3), (5, 12)], [(2, 3), (5, 10)]),
        ([(0, 5), (6, 10)], [(4, 7)], [(4, 5), (6, 7)]),
        ([(0, 5)], [(5, 10)], []),
        ([], [(0, 1)], []),
    ],
)
def test_intersect(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    assert intersect(a, b) == expected
    assert intersect(b, a) == expected


def test_intersect_all() -> None:
    assert intersect_all([]) == []
    assert intersect_all([[(0, 10)], [(2, 8)], [(0, 3), (7, 20)]]) == [(2, 3), (7, 8)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 10)], [(2, 3), (5, 6)], [(0, 2), (3, 5), (6, 10)]),
        ([(0, 10)], [(-5, 0), (10, 15)], [(0, 10)]),
        ([(0, 10)], [(-5, 20)], []),
        ([(0, 4), (6, 10)], [(3, 7)], [(0, 3), (7, 10)]),
        ([(0, 4), (6, 10)], [], [(0, 4), (6, 10)]),
    ],
)
def test_subtract(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    assert subtract(a, b) == expected


def test_clip() -> None:
    assert clip([(0, 5), (8, 12), (20, 30)], 3, 10) == [(3, 5), (8, 10)]


def test_subtract_busy_widens_raw_busy() -> None:
    # Unsorted, overlapping and empty busy spans; the empty one hides nothing even when the
    # buffers would make it a span.
    assert subtract_busy([(0, 100)], [(40, 40), (25, 30), (10, 20)], 5, 0) == [(0, 5), (30, 100)]
    assert subtract_busy([(0, 100)], [(10, 20)], 0, 3) == [(0, 10), (23, 100)]
    assert subtract_busy([(0, 50), (60, 100)], [(45, 70), (0, 3)], 0, 0) == [(3, 45), (70, 100)]


_spans = st.lists(st.tuples(st.integers(-50, 150), st.integers(-50, 150)), max_size=8)


@given(spans=_spans, busy=_spans, before=st.integers(0, 20), after=st.integers(0, 20))
def test_subtract_busy_is_subtract_of_widened_busy(
    spans: list[tuple[int, int]],
    busy: list[tuple[int, int]],
    before: int,
    after: int,
) -> None:
    opened = merge(spans)
    widened = merge((s - before, e + after) for s, e in busy if s < e)
    assert subtract_busy(opened, busy, before, after) == subtract(opened, widened)


def test_covers() -> None:
    spans = [(0, 10), (20, 30)]
    starts = [0, 20]
    assert covers(spans, starts, 0, 10)
    assert covers(spans, starts, 22, 30)
    assert not covers(spans, starts, 5, 11)
    assert not covers(spans, starts, -1, 3)
    assert not covers(spans, starts, 10, 12)

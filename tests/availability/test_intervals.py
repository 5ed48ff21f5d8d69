import pytest

from slotwise.availability.intervals import (
    clip,
    covers,
    intersect,
    intersect_all,
    merge,
    subtract,
    union,
    widen,
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


def test_clip_and_widen() -> None:
    assert clip([(0, 5), (8, 12), (20, 30)], 3, 10) == [(3, 5), (8, 10)]
    assert widen([(10, 20), (25, 30), (40, 40)], 5, 0) == [(5, 30)]
    assert widen([(10, 20)], 0, 3) == [(10, 23)]


def test_covers() -> None:
    spans = [(0, 10), (20, 30)]
    starts = [0, 20]
    assert covers(spans, starts, 0, 10)
    assert covers(spans, starts, 22, 30)
    assert not covers(spans, starts, 5, 11)
    assert not covers(spans, starts, -1, 3)
    assert not covers(spans, starts, 10, 12)

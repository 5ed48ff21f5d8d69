"""Round-robin order and the max-fairness cut.

Order: people never booked come first, alphabetically; then the booked ones, least recently
booked first. "Alphabetically" compares emails case-insensitively, with the exact string as a
tie-break so the order is total. People booked in the same second are ordered by their
booking sequence (`last_booked_seq`, earlier first), then by email.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Participant


def _sort_key(p: Participant) -> tuple[int, int, int, str, str]:
    if p.last_booked_at is None:
        return (0, 0, 0, p.email.casefold(), p.email)
    return (1, p.last_booked_at, p.last_booked_seq, p.email.casefold(), p.email)


def round_robin_order(participants: Sequence[Participant]) -> list[str]:
    return [p.email for p in sorted(participants, key=_sort_key)]


def fairness_keep(order: Sequence[str]) -> list[str]:
    """The first half of ``order``, rounded up: 3 people keep 2, 1 keeps 1, 4 keep 2.

    Rounding up means the dropped "bottom 50%" never includes the middle person, and nobody is
    dropped when there is only one.
    """
    return list(order[: (len(order) + 1) // 2])

"""Round-robin order and the max-fairness cut.

Order: people never booked come first, alphabetically; then the booked ones, least recently
booked first. "Alphabetically" compares emails case-insensitively, with the exact string as a
tie-break so the order is total. People booked in the same second are ordered by their
booking sequence (`last_booked_seq`, earlier first), then by email.

Max-fairness offers the first half of the order (strict rotation: the first one). A
participant at a booking limit (``Participant.limited``) for a slot is passed over for that
slot: the cut is taken over the order without them, so the next one in line gets their turn
until the limit's period is over. Only limits do that; plain busy time keeps the turn.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from .model import Participant, Rules


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


Piece = tuple[int, int, tuple[str, ...]]  # slot starts [start, end) and whose turn they are


class Rotation:
    """Whose turn a slot is under max-fairness: the cut of the order, less whoever a booking
    limit keeps from that slot."""

    def __init__(self, participants: Sequence[Participant], rules: Rules) -> None:
        self.order = round_robin_order(participants)
        self.strict = rules.strict_rotation
        # The starts of the slots each limit span blocks once widened by the buffers, as busy
        # time blocks them (``intervals.subtract_busy``): [s - before - duration + 1, e + after).
        reach = rules.buffer_before + rules.duration - 1
        self.skips = {
            p.email: [(s - reach, e + rules.buffer_after) for s, e in p.limited if s < e]
            for p in participants
            if any(s < e for s, e in p.limited)
        }

    def skipped(self, t: int) -> set[str]:
        """Who a booking limit keeps from the slot starting at ``t``."""
        return {email for email, spans in self.skips.items() if any(a <= t < b for a, b in spans)}

    def keep(self, t: int) -> tuple[str, ...]:
        """The participants whose turn the slot starting at ``t`` is."""
        skipped = self.skipped(t) if self.skips else set()
        turn = [e for e in self.order if e not in skipped]
        return tuple(turn[:1] if self.strict else fairness_keep(turn))

    def pieces(self, lo: int, hi: int) -> list[Piece]:
        """[lo, hi) cut where the turn changes, each piece with whose turn its starts are (one
        piece, the cut at ``lo``, when the window is empty or nobody is at a limit)."""
        cuts = sorted({x for spans in self.skips.values() for ab in spans for x in ab})
        points = [lo, *cuts[bisect_right(cuts, lo) : bisect_right(cuts, hi - 1)], hi]
        out: list[Piece] = []
        for a, b in zip(points, points[1:], strict=False):
            keep = self.keep(a)
            if out and out[-1][2] == keep:
                out[-1] = (out[-1][0], b, keep)
            else:
                out.append((a, b, keep))
        return out

"""Consecutive availability: itineraries of meetings held back to back, in the given order.

* Each meeting's people must all be free for the whole meeting (buffers, open hours and
  ``not_before`` apply as for single slots); a meeting with no emails is a gap of its
  duration that nobody needs to be free for.
* The first meeting's start is laid on the grid of its people's common free stretches
  (``round_to`` and ``interval``; no interval means the first meeting's duration). Every later
  meeting starts exactly when the previous one (or the gap) ends.
* Itineraries are returned sorted by start, at most ``limit`` of them. Gaps are not returned:
  each itinerary lists the real meetings only, matching the wire format.
* Input limits follow the v2 face: 1..500 meetings, ``limit`` 1..10000, no gap first, last or
  next to another gap, and every email must belong to a participant.
"""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Context, step_of
from .grid import grid_starts
from .intervals import Span, covers, intersect_all
from .model import (
    AvailabilityInputError,
    MeetingSpec,
    Participant,
    Rules,
    Slot,
    validate_participants,
    validate_rules,
)

MAX_MEETINGS = 500
MAX_LIMIT = 10000


def validate_meetings(
    participants: Sequence[Participant], meetings: Sequence[MeetingSpec], limit: int
) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise AvailabilityInputError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 1 <= len(meetings) <= MAX_MEETINGS:
        raise AvailabilityInputError(f"between 1 and {MAX_MEETINGS} meetings are allowed")
    known = {p.email for p in participants}
    for i, m in enumerate(meetings):
        if m.duration <= 0:
            raise AvailabilityInputError("meeting durations must be positive")
        if not m.emails:
            if i == 0 or i == len(meetings) - 1:
                raise AvailabilityInputError("a gap cannot start or end the itinerary")
            if not meetings[i - 1].emails:
                raise AvailabilityInputError("two gaps cannot be next to each other")
        for email in m.emails:
            if email not in known:
                raise AvailabilityInputError(f"meeting email {email!r} is not a participant")


def compute_consecutive(
    participants: Sequence[Participant],
    meetings: Sequence[MeetingSpec],
    window_start: int,
    window_end: int,
    rules: Rules,
    *,
    limit: int = MAX_LIMIT,
    not_before: int | None = None,
) -> list[list[Slot]]:
    validate_rules(rules, check_duration=False)
    validate_participants(participants)
    validate_meetings(participants, meetings, limit)
    ctx = Context(window_start, window_end, rules, not_before)
    by_email = {p.email: p for p in participants}
    # Common free time per meeting (None for gaps), with span starts for bisecting.
    common: list[tuple[list[Span], list[int]] | None] = []
    for m in meetings:
        if not m.emails:
            common.append(None)
            continue
        spans = intersect_all([ctx.free_time(by_email[e]) for e in m.emails])
        common.append((spans, [s for s, _ in spans]))
    first = common[0]
    assert first is not None  # validate_meetings rejects a leading gap
    d0 = meetings[0].duration
    out: list[list[Slot]] = []
    for start in grid_starts(first[0], d0, step_of(rules, d0), ctx.snap):
        itinerary = _chain(start, meetings, common)
        if itinerary is not None:
            out.append(itinerary)
            if len(out) >= limit:
                break
    return out


def _chain(
    start: int,
    meetings: Sequence[MeetingSpec],
    common: Sequence[tuple[list[Span], list[int]] | None],
) -> list[Slot] | None:
    t = start
    slots: list[Slot] = []
    for m, free in zip(meetings, common, strict=True):
        end = t + m.duration
        if free is not None:
            if not covers(free[0], free[1], t, end):
                return None
            slots.append(Slot(t, end, m.emails))
        t = end
    return slots

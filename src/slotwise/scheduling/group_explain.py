"""Why a group configuration does or does not offer given start times.

A group configuration (`type: "group"`) offers no engine slots: it offers the meetings of its
group events (`group_events.group_offer`, the listing's own function, which decides here what
is offered). A time is offered when a meeting with a seat left starts then; otherwise the
reasons are the scheduler's edges (minimum notice, the last day offered, `expire_after`), no
meeting starting then (`no_group_meeting`, with the nearest meeting starts) or every meeting
then being full (`full`, which the listing still shows with no seats left, for its waitlist).
The configuration's owner is its one participant.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from sqlalchemy.orm import Session

from slotwise.availability.explain import (
    BEFORE_NOTICE,
    BEYOND_HORIZON,
    EXPIRED,
    FULL,
    NO_GROUP_MEETING,
    OUTSIDE_WINDOW,
    Explanation,
    ParticipantExplanation,
    Reason,
    ordered_reasons,
    refused,
)
from slotwise.db.models import Configuration
from slotwise.documents import read_document
from slotwise.scheduling.group_events import GroupSlot, group_offer, occurrences, owner_of
from slotwise.scheduling.offer import bookable_window, is_expired
from slotwise.validation import MAX_EPOCH


def explain_group(
    session: Session,
    config: Configuration,
    times: Sequence[int],
    *,
    now: int,
    window: tuple[int, int],
) -> list[Explanation]:
    start, end = window
    email = owner_of(session, config).email
    listed: dict[int, list[GroupSlot]] = {}
    for slot in group_offer(session, config, start, end, now=now):
        listed.setdefault(slot.occurrence.start, []).append(slot)
    meetings = sorted({o.start for o in occurrences(session, config, start, end)})
    not_before, horizon = bookable_window(read_document(config), 0, MAX_EPOCH, now)
    expired = is_expired(session, config, now)
    out = []
    for t in times:
        here = listed.get(t, [])
        open_seats = [s for s in here if s.remaining > 0]
        u = max((s.occurrence.end for s in here), default=t)
        if open_seats:
            people = [ParticipantExplanation(email, [])]
            out.append(Explanation(t, u, True, (email,), [], people, [], []))
            continue
        shared: list[Reason] = []
        if t < start or t >= end:
            window_of = {"window": [start, end]}
            shared.append(Reason(OUTSIDE_WINDOW, "outside the requested window", details=window_of))
        if t < not_before:
            shared.append(
                Reason(
                    BEFORE_NOTICE,
                    "starts before the minimum booking notice allows",
                    details={"earliest_start": not_before},
                )
            )
        if t >= horizon:
            shared.append(
                Reason(
                    BEYOND_HORIZON,
                    "starts after the last day offered (available_days_in_future)",
                    details={"latest_end": horizon},
                )
            )
        if expired:
            shared.append(Reason(EXPIRED, "the scheduler's expire_after has closed it"))
        if here:
            first = here[0].occurrence
            shared.append(
                Reason(
                    FULL,
                    "no seats left: the group meeting at this time is full",
                    details={
                        "capacity": first.group.capacity,
                        "taken": first.group.capacity - here[0].remaining,
                        "event_id": first.event_id,
                    },
                )
            )
        elif t not in meetings:
            i = bisect_left(meetings, t)
            nearest = [meetings[j] for j in (i - 1, i) if 0 <= j < len(meetings)]
            shared.append(
                Reason(
                    NO_GROUP_MEETING,
                    "no meeting of this configuration's group events starts at this time",
                    details={"nearest": nearest},
                )
            )
        shared = ordered_reasons(shared)
        people = [ParticipantExplanation(email, list(shared))]
        out.append(refused(t, u, shared, people, collective=True, order=[]))
    return out

"""Why a configuration does or does not offer given start times (the scheduler's rules).

The inputs are the listing's own (`offer.rules_of`, `offer.engine_participants`, the hosts
`compute_offer` considers), with the scheduler's edges kept apart so each can be named:
minimum notice, the last day offered, `expire_after`. The engine lists the window and explains
each time against that listing (`availability.explain`).

Choices:
* Window: a listing's grid is anchored on free stretches clipped to its window, so the answer
  depends on the window. Unless one is given, it is the organizer's local days that hold the
  asked times, the days the hosted page lists.
* Busy reasons name the event, calendar and span for the organizer's own calendars only; other
  hosts' busy time is just "busy".
* A configuration seating several guests (`scheduler.capacity`) is explained as it lists:
  its seats' events out of the busy time, the engine's explanations with the seats applied
  (`scheduling.seats.explain_seated`: a full meeting is "full", a seat keeps its hosts from
  other times as busy time does, and a free seat in a meeting is offered with that meeting's
  hosts only).
* A group configuration offers its group events' meetings, not engine slots: it is explained
  by `scheduling.group_explain` from the group listing itself.
* Booking limits reached and other guests' holds are the listing's own blocks
  (`scheduling.blocks.host_blocks`), explained as "booking limit reached" (naming the limit)
  and "held by another guest".
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from slotwise import availability as engine
from slotwise.availability import zones
from slotwise.availability.explain import Block, Bounds, BusyEvent, Explanation
from slotwise.db.models import Configuration
from slotwise.documents import read_document
from slotwise.errors import InvalidRequest
from slotwise.events.busy import read_busy_events
from slotwise.scheduling import seats
from slotwise.scheduling.blocks import host_blocks
from slotwise.scheduling.group_explain import explain_group
from slotwise.scheduling.offer import (
    bookable_window,
    busy_calendars,
    duration_seconds,
    engine_participants,
    is_expired,
    organizer_timezone,
    rules_of,
    seats_near,
)
from slotwise.scheduling.service import hosts_of
from slotwise.validation import MAX_EPOCH


def explain_offer(
    session: Session,
    config: Configuration,
    times: Sequence[int],
    *,
    now: int,
    window: tuple[int, int] | None = None,
) -> list[Explanation]:
    document = read_document(config)
    if window is None:
        tz = zones.zone(organizer_timezone(document))
        last = max(times) + duration_seconds(document) - 1
        window = zones.day_span(zones.local_date(tz, min(times)), zones.local_date(tz, last), tz)
    if document.is_group:
        return explain_group(session, config, times, now=now, window=window)
    capacity = seats.capacity_of(document)
    rules = rules_of(document)
    hosts = hosts_of(session, document)
    if document.is_round_robin:
        hosts = [h for h in hosts if h.takes_bookings]
    start, end = window
    not_before, horizon = bookable_window(document, 0, MAX_EPOCH, now)
    bounds = Bounds(start, end, not_before, horizon, is_expired(session, config, now))
    reach = (start - rules.buffer_after, end + rules.buffer_before)
    found = host_blocks(
        session,
        config.id,
        document,
        hosts,
        start,
        end,
        now=now,
        buffer_before=rules.buffer_before,
        buffer_after=rules.buffer_after,
        holds_as_seats=capacity != 1,
    )
    held: list[seats.Seat] = []
    if capacity != 1:
        held = seats_near(session, config, hosts, start, end, rules, found.seats, ())
    # As the listing: the seats' own events are seats, not busy time.
    seat_events = [s.event_id for s in held if s.event_id]
    participants = engine_participants(
        session, config, document, hosts, *reach, exclude_event_ids=seat_events
    )
    organizers = [h for h in hosts if h.is_organizer]
    calendars = busy_calendars(organizers)
    per_calendar = read_busy_events(
        session,
        sorted({c for ids in calendars.values() for c in ids}),
        *reach,
        tentative_as_busy=document.rules.tentative_as_busy,
    )
    events = {
        h.email: [
            BusyEvent(s, e, i, cal) for cal in calendars[h.email] for s, e, i in per_calendar[cal]
        ]
        for h in organizers
    }
    blocks = {
        email: [Block(b.start, b.end, b.code, b.detail) for b in spans]
        for email, spans in found.blocks.items()
    }
    try:
        return seats.explain_seated(
            participants,
            bounds,
            rules,
            times,
            seats=held,
            capacity=capacity,
            collective=not document.is_round_robin,
            events=events,
            blocks=blocks,
            named=[h.email for h in organizers],
        )
    except engine.AvailabilityInputError as exc:
        raise InvalidRequest(f"availability: {exc}") from None

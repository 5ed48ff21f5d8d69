"""A configuration's availability: turn it into engine input, read busy time, compute slots.

This is the one function both "which slots are offered" (GET /v3/scheduling/availability) and
"may this booking be made" (bookings) call, so a booking can never take what the list would not
offer.

Choices where the reference is silent:
* Busy time of a host comes from `availability.calendar_ids` **and** their
  `booking.calendar_id`, so existing bookings always block their own time even when the booking
  calendar is not listed for availability.
* Open hours: a participant's own `availability.open_hours` win over
  `availability_rules.default_open_hours`. Participant hours are read in the entry's timezone,
  else the participant's, else `event_booking.timezone`; default open hours are read in
  `event_booking.timezone` when it is set, else the entry's own timezone; UTC last.
  v3 days count 0 = Sunday, the engine's 0 = Monday.
* `round_to` defaults to 15 minutes, aligned in `event_booking.timezone`; `interval_minutes`
  defaults to the duration (back-to-back slots).
* `min_booking_notice` (minutes, default 60) moves the earliest start to now + notice;
  `available_days_in_future` (days, default 30) ends the offer at the end of that local day.
* `scheduler.expire_after` (a Slotwise extension the v2 pages map onto): from its `date`, or
  once `uses` bookings were made (cancelled ones included: a use is spent), nothing is offered.
* `scheduler.capacity` (a Slotwise extension the v2 pages' `event.capacity` maps onto) seats
  several guests in one slot: see `scheduling.seats` (`seated_availability`).
* Booking limits and holds (`scheduling.blocks`) are busy-like spans added to each host's busy
  time: a host at a limit, or held for another guest, is not free for those slots. Limits go
  to the engine as `Participant.limited`, so that max-fairness (strict rotation too) passes a
  host at a limit over for the turn in that period, instead of offering nobody.
* Round-robin order: when each host was last booked (event creation time, then the event's
  `rotation_seq` for bookings in the same second; cancelled ones excluded) through this
  configuration or its `round_robin_group_id` (metadata key5).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from slotwise import availability as engine
from slotwise import metrics
from slotwise.availability import zones
from slotwise.availability.zones import Snapper
from slotwise.db.models import Configuration
from slotwise.documents import ConfigurationDocument, OpenHours, SpecificTime, read_document
from slotwise.errors import InvalidRequest
from slotwise.events.busy import read_busy
from slotwise.providers import REMOTE_KINDS
from slotwise.providers.sync import refresh_calendars
from slotwise.scheduling import repository, seats
from slotwise.scheduling.blocks import host_blocks
from slotwise.scheduling.checks import hhmm_minutes
from slotwise.scheduling.holds_repository import Held
from slotwise.scheduling.limits import BOOKING_LIMIT, Blocked
from slotwise.scheduling.service import Host, hosts_of

DEFAULT_ROUND_TO = 15
DEFAULT_NOTICE_MINUTES = 60
DEFAULT_DAYS_IN_FUTURE = 30
DAY = 86400


@dataclass(frozen=True)
class Offer:
    """What a configuration offers in a window, and who could host it."""

    result: engine.AvailabilityResult
    hosts: list[Host]
    full_order: list[str]  # round-robin order over all considered hosts ([] if collective)


def organizer_timezone(document: ConfigurationDocument) -> str:
    return document.event_booking.timezone or "UTC"


def duration_seconds(document: ConfigurationDocument) -> int:
    return document.availability.duration_minutes * 60


def rules_of(document: ConfigurationDocument) -> engine.Rules:
    availability, rules = document.availability, document.rules
    interval = availability.interval_minutes
    return engine.Rules(
        duration=duration_seconds(document),
        interval=interval * 60 if interval else None,
        round_to=(availability.round_to or DEFAULT_ROUND_TO) * 60,
        round_to_timezone=organizer_timezone(document),
        method=rules.availability_method,
        buffer_before=rules.buffer.before * 60,
        buffer_after=rules.buffer.after * 60,
        strict_rotation=rules.strict_rotation,
    )


def on_offered_grid(document: ConfigurationDocument, start: int) -> bool:
    """Whether `start` is a start the slot lists can show, whatever window they were read for.

    Listed starts are a free stretch's start rounded up to `round_to`, then every interval; so
    every one of them is a wall-clock multiple of gcd(round_to, interval). Where a stretch
    begins depends on the listing's window and on the time it was read (minimum notice moves
    it), so a booking is held to that common grain rather than to one particular listing.
    """
    rules = rules_of(document)
    grain = math.gcd(rules.round_to, rules.interval or rules.duration)
    snap = Snapper(grain, rules.round_to_timezone, start - DAY, start + DAY)
    return snap(start) == start


def bookable_window(
    document: ConfigurationDocument, start: int, end: int, now: int
) -> tuple[int, int]:
    """[start, end) clipped by minimum notice and the days offered into the future."""
    scheduler = document.scheduler
    notice = scheduler.min_booking_notice
    notice = DEFAULT_NOTICE_MINUTES if notice is None else notice
    days = scheduler.available_days_in_future
    days = DEFAULT_DAYS_IN_FUTURE if days is None else days
    tz = zones.zone(organizer_timezone(document))
    last_day = zones.local_date(tz, now) + timedelta(days=days)
    horizon = zones.midnight(last_day + timedelta(days=1), tz)
    return max(start, now + notice * 60), min(end, horizon)


def _weekly(entry: OpenHours, timezone: str) -> engine.WeeklyHours:
    return engine.WeeklyHours(
        days=frozenset((d + 6) % 7 for d in entry.days),
        start_minute=hhmm_minutes("start", entry.start),
        end_minute=hhmm_minutes("end", entry.end),
        timezone=timezone,
        exdates=frozenset(date.fromisoformat(x) for x in entry.exdates),
    )


def _specific(entry: SpecificTime, timezone: str) -> engine.SpecificHours:
    return engine.SpecificHours(
        date=date.fromisoformat(entry.date),
        start_minute=hhmm_minutes("start", entry.start),
        end_minute=hhmm_minutes("end", entry.end),
        timezone=entry.timezone or timezone,
    )


def open_hours_of(host: Host, document: ConfigurationDocument) -> list[engine.WeeklyHours]:
    booking_tz = document.event_booking.timezone
    own = host.entry.availability.open_hours if host.entry.availability else []
    if own:
        fallback = host.entry.timezone or booking_tz or "UTC"
        return [_weekly(e, e.timezone or fallback) for e in own]
    return [
        _weekly(e, booking_tz or e.timezone or "UTC") for e in document.rules.default_open_hours
    ]


def specific_of(
    host: Host, document: ConfigurationDocument
) -> tuple[list[engine.SpecificHours], bool]:
    rules = document.rules
    tz = host.entry.timezone or organizer_timezone(document)
    own = [_specific(e, tz) for e in host.entry.specific_time_availability]
    dates = {s.date for s in own}
    defaults = [
        s
        for s in (_specific(e, tz) for e in rules.default_specific_time_availability)
        if s.date not in dates
    ]
    only = rules.only_specific_time_availability or host.entry.only_specific_time_availability
    return own + defaults, only


def busy_calendars(hosts: Sequence[Host]) -> dict[str, list[str]]:
    """Calendar ids whose events make each host busy (availability + booking calendars)."""
    out: dict[str, list[str]] = {}
    for host in hosts:
        entry = host.entry
        wanted = list(entry.availability.calendar_ids) if entry.availability else []
        if entry.booking and entry.booking.calendar_id:
            wanted.append(entry.booking.calendar_id)
        ids: list[str] = []
        for cal in wanted:
            resolved = host.calendar_id(cal)
            if resolved and resolved not in ids:
                ids.append(resolved)
        out[host.email] = ids
    return out


def remote_calendar_ids(hosts: Sequence[Host], calendars: dict[str, list[str]]) -> list[str]:
    """The calendars among `calendars` (per host email) that mirror a remote provider."""
    return sorted(
        {c for h in hosts if h.grant.provider in REMOTE_KINDS for c in calendars[h.email]}
    )


@metrics.timed_calls(metrics.AVAILABILITY_SECONDS, "scheduler")
def compute_offer(
    session: Session,
    config: Configuration,
    start: int,
    end: int,
    *,
    now: int,
    exclude_event_ids: Collection[str] = (),
    exclude_hold_ids: Collection[str] = (),
    with_holds: bool = True,
    only_emails: Collection[str] | None = None,
    hosts: list[Host] | None = None,
    exact: bool = False,
    refresh: bool = True,
) -> Offer:
    """Slots of `config` in [start, end) as offered at `now` (callers validate the window).

    `exact` asks about the single slot [start, end) itself, with no grid laid over it: the
    booking re-check, whose grid is checked apart (`on_offered_grid`). `refresh=False` reads
    remote mirrors as stored (the re-check, which holds locks and must not wait on a server).
    `exclude_hold_ids` are holds the caller converts: they do not block their own slot;
    `with_holds=False` leaves every hold out (a page deciding whether to show a time's form,
    whose own hold is then taken or refused by the holds API).
    """
    document = read_document(config)
    rules = rules_of(document)
    if exact:
        rules = replace(rules, round_to=0, interval=None)
    hosts = _candidates(session, document, hosts, only_emails)
    lo, hi = bookable_window(document, start, end, now)
    if not hosts or hi <= lo or is_expired(session, config, now):
        return Offer(engine.AvailabilityResult([], []), hosts, [])
    capacity = seats.capacity_of(document)
    extra = host_blocks(
        session,
        config.id,
        document,
        hosts,
        lo,
        hi,
        now=now,
        buffer_before=rules.buffer_before,
        buffer_after=rules.buffer_after,
        holds_as_seats=capacity != 1,
        with_holds=with_holds,
        exclude_event_ids=exclude_event_ids,
        exclude_hold_ids=exclude_hold_ids,
    )
    held: list[seats.Seat] = []
    if capacity != 1:
        held = seats_near(session, config, hosts, lo, hi, rules, extra.seats, exclude_event_ids)
        exclude_event_ids = [*exclude_event_ids, *(s.event_id for s in held if s.event_id)]
    participants = engine_participants(
        session,
        config,
        document,
        hosts,
        lo - rules.buffer_after,
        hi + rules.buffer_before,
        exclude_event_ids=exclude_event_ids,
        refresh=refresh,
        blocks=extra.blocks,
    )
    try:
        result = seats.seated_availability(
            participants,
            lo,
            hi,
            rules,
            not_before=lo,
            seats=held,
            capacity=capacity,
            collective=not document.is_round_robin,
        )
    except engine.AvailabilityInputError as exc:
        raise InvalidRequest(f"availability: {exc}") from None
    full_order = engine.round_robin_order(participants) if document.is_round_robin else []
    return Offer(result, hosts, full_order)


def _candidates(
    session: Session,
    document: ConfigurationDocument,
    hosts: list[Host] | None,
    only_emails: Collection[str] | None,
) -> list[Host]:
    """Whom an offer is computed for: `hosts`, else the configuration's; in round robin only
    those who take bookings; only `only_emails` if they are named."""
    if hosts is None:
        hosts = hosts_of(session, document)
    if document.is_round_robin:
        hosts = [h for h in hosts if h.takes_bookings]
    if only_emails is not None:
        wanted = {e.lower() for e in only_emails}
        hosts = [h for h in hosts if h.email.lower() in wanted]
    return hosts


def engine_participants(
    session: Session,
    config: Configuration,
    document: ConfigurationDocument,
    hosts: Sequence[Host],
    start: int,
    end: int,
    *,
    exclude_event_ids: Collection[str] = (),
    refresh: bool = True,
    blocks: Mapping[str, Sequence[Blocked]] | None = None,
) -> list[engine.Participant]:
    """The hosts as the engine sees them: busy time over [start, end) (buffers' reach
    included by the caller), open hours, date overrides and round-robin history; `blocks`
    (per email: others' holds as busy time, reached limits as `limited`, `scheduling.blocks`)."""
    blocks = blocks or {}
    calendars = busy_calendars(hosts)
    all_ids = sorted({c for ids in calendars.values() for c in ids})
    # Stale remote (CalDAV, feed) mirrors first; embedded grants have none to refresh.
    if refresh:
        refresh_calendars(session, remote_calendar_ids(hosts, calendars))
    busy = read_busy(
        session,
        all_ids,
        start,
        end,
        tentative_as_busy=document.rules.tentative_as_busy,
        exclude_event_ids=tuple(exclude_event_ids),
        in_order=False,  # merged with the holds and sorted below
    )
    last: dict[str, tuple[int, int]] = {}
    if document.is_round_robin:
        keys = [config.id]
        if config.round_robin_group_id:
            keys.append(config.round_robin_group_id)
        last = repository.last_booked(session, keys, [h.grant.id for h in hosts])
    participants = []
    for host in hosts:
        specific, only_specific = specific_of(host, document)
        spans = [span for cal in calendars[host.email] for span in busy.get(cal, [])]
        mine = blocks.get(host.email, [])
        spans += [(b.start, b.end) for b in mine if b.code != BOOKING_LIMIT]
        participants.append(
            engine.Participant(
                email=host.email,
                busy=sorted((int(s), int(e)) for s, e in spans),
                limited=sorted((b.start, b.end) for b in mine if b.code == BOOKING_LIMIT),
                open_hours=open_hours_of(host, document),
                specific=specific,
                only_specific=only_specific,
                last_booked_at=last[host.grant.id][0] if host.grant.id in last else None,
                last_booked_seq=last[host.grant.id][1] if host.grant.id in last else 0,
            )
        )
    return participants


def seats_near(
    session: Session,
    config: Configuration,
    hosts: Sequence[Host],
    lo: int,
    hi: int,
    rules: engine.Rules,
    holds: Sequence[Held],
    exclude_event_ids: Collection[str],
) -> list[seats.Seat]:
    """The seats taken near [lo, hi) of a configuration seating several guests: its live
    bookings (a booking being moved gives up its own), then its `holds` (`host_blocks`'s
    seats), one seat each."""
    reach = rules.buffer_before + rules.buffer_after
    found = repository.live_bookings(session, config.id, lo - reach, hi + reach)
    booked = [
        seats.Seat(b.start_ts, b.end_ts, b.event_id, tuple(b.hosts or [b.organizer_email]))
        for b in found
        if b.event_id not in exclude_event_ids
    ]
    return booked + _hold_seats(holds, hosts)


SUGGESTIONS = 3
SUGGESTION_DAYS = 14


def next_offered(
    session: Session, config: Configuration, after: int, *, now: int
) -> list[engine.Slot]:
    """The first few slots offered from `after` on (within two weeks): what a guest refused a
    slot is offered instead. Listed from the start of that local day, so they lie on the grid
    a day's listing shows. Mirrors are read as stored (the refusal just synced them)."""
    tz = zones.zone(organizer_timezone(read_document(config)))
    day = zones.midnight(zones.local_date(tz, after), tz)
    offer = compute_offer(
        session, config, day, after + SUGGESTION_DAYS * DAY, now=now, refresh=False
    )
    return [slot for slot in offer.result.slots if slot.start >= after][:SUGGESTIONS]


def _hold_seats(holds: Sequence[Held], hosts: Sequence[Host]) -> list[seats.Seat]:
    """This configuration's holds as seats: one per hold, with the hosts it holds."""
    email_of = {h.grant.id: h.email for h in hosts}
    by_hold: dict[str, list[Held]] = {}
    for h in holds:
        by_hold.setdefault(h.hold_id, []).append(h)
    return [
        seats.Seat(rows[0].start, rows[0].end, None, tuple(email_of[r.grant_id] for r in rows))
        for rows in by_hold.values()
    ]


def is_expired(session: Session, config: Configuration, now: int) -> bool:
    """Whether `scheduler.expire_after` has closed the configuration (its date or its uses)."""
    expire = read_document(config).scheduler.expire_after
    if expire.date is not None and now >= expire.date:
        return True
    return expire.uses is not None and repository.count_bookings(session, config.id) >= expire.uses

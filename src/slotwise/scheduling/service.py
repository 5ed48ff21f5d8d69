"""Configuration and session rules. Never commits: the request boundary does."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import Calendar, Configuration, Grant, SchedulingSession
from slotwise.documents import ConfigurationDocument, ConfigurationParticipant, read_document
from slotwise.errors import Conflict, NotFound, field_error
from slotwise.grants.repository import grants_by_email
from slotwise.ids import new_uuid
from slotwise.scheduling import repository
from slotwise.scheduling.locks import ensure_lock_rows
from slotwise.scheduling.schemas import NewSession, parse_configuration


@dataclass(frozen=True)
class Host:
    """A configuration participant backed by a grant: their calendars count and can be booked."""

    email: str
    name: str | None
    grant: Grant
    entry: ConfigurationParticipant  # the participant entry as stored
    is_organizer: bool
    calendars: tuple[Calendar, ...]  # all calendars of the grant

    def calendar_id(self, calendar_id: str | None) -> str | None:
        """One of this host's calendar ids (`primary` resolved), or None."""
        return resolve_calendar_id(list(self.calendars), self.grant.id, calendar_id or "")

    @property
    def booking_calendar_id(self) -> str | None:
        return self.calendar_id(self.entry.booking.calendar_id if self.entry.booking else None)

    @property
    def takes_bookings(self) -> bool:
        """Has both availability and a booking calendar: a round-robin pool member."""
        return bool(self.entry.availability) and bool(self.entry.booking)


def hosts_of(session: Session, document: ConfigurationDocument) -> list[Host]:
    """Participants with availability or booking (those must map to a grant), in order.

    One query brings their grants and calendars.
    """
    found = repository.grants_with_calendars(session, [p.email for p in document.participants])
    hosts = []
    for p in document.participants:
        if not p.is_host:
            continue
        entry = found.get(p.email.lower())
        if entry is None:
            continue
        grant, calendars = entry
        hosts.append(
            Host(
                email=grant.email,
                name=p.name,
                grant=grant,
                entry=p,
                is_organizer=p.is_organizer,
                calendars=tuple(calendars),
            )
        )
    return hosts


def resolve_calendar_id(calendars: list[Calendar], grant_id: str, calendar_id: str) -> str | None:
    """A calendar id of this grant (`primary` names its primary calendar), or None."""
    own = [c for c in calendars if c.grant_id == grant_id]
    if calendar_id == "primary":
        primary = [c for c in own if c.is_primary]
        return primary[0].id if primary else None
    return calendar_id if any(c.id == calendar_id for c in own) else None


def _check_participant_grants(session: Session, document: ConfigurationDocument) -> list[str]:
    participants = document.participants
    grants = grants_by_email(session, [p.email for p in participants])
    need = [grants[p.email.lower()].id for p in participants if p.email.lower() in grants]
    calendars = repository.calendars_of_grants(session, need)
    grant_ids = []
    for i, p in enumerate(participants):
        if not p.is_host:
            continue
        grant = grants.get(p.email.lower())
        if grant is None:
            raise field_error(
                f"participants[{i}].email",
                f"{p.email} has no grant, so it cannot have availability or booking",
            )
        grant_ids.append(grant.id)
        calendar_id = p.booking.calendar_id if p.booking else None
        if calendar_id and not resolve_calendar_id(calendars, grant.id, calendar_id):
            raise field_error(
                f"participants[{i}].booking.calendar_id",
                f"no calendar {calendar_id!r} for {p.email}",
            )
    return grant_ids


def _group_calendar(session: Session, grant_id: str, document: ConfigurationDocument) -> str:
    """The id of the owner's calendar the group configuration's events live in."""
    calendar_id = document.group_booking.calendar_id if document.group_booking else "primary"
    calendars = repository.calendars_of_grants(session, [grant_id])
    found = resolve_calendar_id(calendars, grant_id, calendar_id)
    if found is None:
        raise field_error("group_booking.calendar_id", f"no calendar {calendar_id!r} of this grant")
    return found


def group_calendar_of(session: Session, config: Configuration) -> Calendar:
    """The calendar a group configuration's events live in."""
    calendar = session.get(
        Calendar, _group_calendar(session, config.grant_id, read_document(config))
    )
    if calendar is None:  # resolved from this grant's calendars just now
        raise NotFound("group_booking.calendar_id: the calendar no longer exists")
    return calendar


def _store(session: Session, config: Configuration, document: dict[str, Any]) -> None:
    """Store `document` as sent (GET returns it so), once its typed reading says it can work."""
    parsed = parse_configuration(document)
    slug = parsed.slug
    if slug is not None and repository.slug_taken(session, slug, except_id=config.id):
        raise Conflict(f"slug: {slug!r} is already used by another configuration")
    if parsed.is_group:
        grant_ids = [config.grant_id]
        _group_calendar(session, config.grant_id, parsed)
    else:
        grant_ids = _check_participant_grants(session, parsed)
    config.document = document
    config.slug = slug
    config.requires_session_auth = parsed.requires_session_auth
    config.round_robin_group_id = parsed.rules.group_id
    config.updated_at = clock.now()
    ensure_lock_rows(session, grant_ids)


def create_configuration(session: Session, grant: Grant, body: dict[str, Any]) -> Configuration:
    document = copy.deepcopy(body)
    document.pop("id", None)
    now = clock.now()
    config = Configuration(id=new_uuid(), grant_id=grant.id, created_at=now, updated_at=now)
    _store(session, config, document)
    session.add(config)
    session.flush()
    return config


def update_configuration(
    session: Session, config: Configuration, body: dict[str, Any]
) -> Configuration:
    """PUT: each top-level key sent replaces the stored one whole; the rest stays."""
    document = copy.deepcopy(config.document)
    for key, value in body.items():
        if key == "id":
            continue
        document[key] = copy.deepcopy(value)
    _store(session, config, document)
    session.flush()
    return config


def delete_configuration(session: Session, config: Configuration) -> None:
    repository.delete_configuration(session, config)


def get_configuration_of_grant(session: Session, grant: Grant, config_id: str) -> Configuration:
    config = repository.find_configuration(session, config_id)
    if config is None or config.grant_id != grant.id:
        raise NotFound(f"configuration {config_id} not found")
    return config


# Sessions ------------------------------------------------------------------------------------


def create_session(session: Session, request: NewSession) -> str:
    """A new session for a configuration; its token, which is not stored (only its hash)."""
    config: Configuration | None
    if request.configuration_id is not None:
        config = repository.find_configuration(session, request.configuration_id)
        if config is None:
            raise NotFound(f"configuration {request.configuration_id} not found")
    else:
        config = repository.find_by_slug(session, str(request.slug))
        if config is None:
            raise NotFound(f"no configuration with slug {request.slug!r}")
    ttl = request.time_to_live
    now = clock.now()
    repository.delete_expired_sessions(session, now)
    token = secrets.token_urlsafe(32)
    row = SchedulingSession(
        token_hash=repository.session_token_hash(token),
        configuration_id=config.id,
        expires_at=now + int(ttl * 60),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return token


def delete_session(session: Session, session_id: str) -> None:
    row = repository.find_session(session, session_id)
    if row is None:
        raise NotFound(f"session {session_id} not found")
    session.delete(row)
    session.flush()

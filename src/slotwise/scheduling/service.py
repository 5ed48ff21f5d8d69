"""Configuration and session rules. Never commits: the request boundary does."""

from __future__ import annotations

import copy
import math
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings.locks import ensure_lock_rows
from slotwise.db.models import Calendar, Configuration, Grant, SchedulingSession
from slotwise.errors import Conflict, InvalidRequest, NotFound, field_error
from slotwise.grants.repository import grants_by_email
from slotwise.ids import new_uuid
from slotwise.scheduling import repository
from slotwise.scheduling.validation import check_configuration, round_robin_group_id

SESSION_TTL_DEFAULT_MINUTES = 5
SESSION_TTL_MAX_MINUTES = 30


@dataclass(frozen=True)
class Host:
    """A configuration participant backed by a grant: their calendars count and can be booked."""

    email: str
    name: str | None
    grant: Grant
    document: dict[str, Any]  # the participant entry as stored
    is_organizer: bool
    calendars: tuple[Calendar, ...]  # all calendars of the grant

    def calendar_id(self, calendar_id: str | None) -> str | None:
        """One of this host's calendar ids (`primary` resolved), or None."""
        return resolve_calendar_id(list(self.calendars), self.grant.id, calendar_id or "")

    @property
    def booking_calendar_id(self) -> str | None:
        return self.calendar_id((self.document.get("booking") or {}).get("calendar_id"))


def participant_grants(session: Session, document: dict[str, Any]) -> dict[str, Grant]:
    """Grants of the configuration's participants, keyed by lower-cased email (one query)."""
    emails = [p.get("email", "") for p in document.get("participants") or []]
    return grants_by_email(session, [e for e in emails if isinstance(e, str)])


def hosts_of(session: Session, document: dict[str, Any]) -> list[Host]:
    """Participants with availability or booking (those must map to a grant), in order.

    One query brings their grants and calendars.
    """
    emails = [p.get("email", "") for p in document.get("participants") or []]
    found = repository.grants_with_calendars(session, [e for e in emails if isinstance(e, str)])
    hosts = []
    for p in document.get("participants") or []:
        if not (p.get("availability") or p.get("booking")):
            continue
        entry = found.get(str(p.get("email", "")).lower())
        if entry is None:
            continue
        grant, calendars = entry
        hosts.append(
            Host(
                email=grant.email,
                name=p.get("name"),
                grant=grant,
                document=p,
                is_organizer=bool(p.get("is_organizer")),
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


def _check_participant_grants(session: Session, document: dict[str, Any]) -> list[str]:
    grants = participant_grants(session, document)
    participants = document["participants"]
    need = [grants[p["email"].lower()].id for p in participants if p["email"].lower() in grants]
    calendars = repository.calendars_of_grants(session, need)
    grant_ids = []
    for i, p in enumerate(participants):
        if not (p.get("availability") or p.get("booking")):
            continue
        grant = grants.get(p["email"].lower())
        if grant is None:
            raise field_error(
                f"participants[{i}].email",
                f"{p['email']} has no grant, so it cannot have availability or booking",
            )
        grant_ids.append(grant.id)
        booking = p.get("booking") or {}
        if booking.get("calendar_id") and not resolve_calendar_id(
            calendars, grant.id, booking["calendar_id"]
        ):
            raise field_error(
                f"participants[{i}].booking.calendar_id",
                f"no calendar {booking['calendar_id']!r} for {p['email']}",
            )
    return grant_ids


def _store(session: Session, config: Configuration, document: dict[str, Any]) -> None:
    check_configuration(document)
    slug = document.get("slug")
    if slug is not None and repository.slug_taken(session, slug, except_id=config.id):
        raise Conflict(f"slug: {slug!r} is already used by another configuration")
    grant_ids = _check_participant_grants(session, document)
    config.document = document
    config.slug = slug
    config.requires_session_auth = bool(document.get("requires_session_auth"))
    config.round_robin_group_id = round_robin_group_id(document)
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


def configuration_to_dict(config: Configuration) -> dict[str, Any]:
    """The stored object plus `id`, with the fields every client requires always present."""
    out = copy.deepcopy(config.document)
    participants = []
    for p in out.get("participants") or []:
        p = dict(p)
        # Notification-only participants have neither; the Python SDK requires both keys.
        p.setdefault("availability", {"calendar_ids": []})
        if isinstance(p["availability"], dict):
            p["availability"].setdefault("calendar_ids", [])
        p.setdefault("booking", {"calendar_id": None})
        participants.append(p)
    out["participants"] = participants
    out["requires_session_auth"] = config.requires_session_auth
    out.setdefault("slug", None)
    return {"id": config.id, **out}


# Sessions ------------------------------------------------------------------------------------


def create_session(session: Session, body: dict[str, Any]) -> str:
    """A new session for a configuration; its token, which is not stored (only its hash)."""
    configuration_id = body.get("configuration_id")
    slug = body.get("slug")
    config: Configuration | None
    if configuration_id:
        if not isinstance(configuration_id, str):
            raise field_error("configuration_id", "expected a string")
        config = repository.find_configuration(session, configuration_id)
        if config is None:
            raise NotFound(f"configuration {configuration_id} not found")
    elif slug:
        if not isinstance(slug, str):
            raise field_error("slug", "expected a string")
        config = repository.find_by_slug(session, slug)
        if config is None:
            raise NotFound(f"no configuration with slug {slug!r}")
    else:
        raise InvalidRequest("configuration_id: give configuration_id or slug")
    ttl = body.get("time_to_live", SESSION_TTL_DEFAULT_MINUTES)
    if ttl is None:
        ttl = SESSION_TTL_DEFAULT_MINUTES
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl):
        raise field_error("time_to_live", "expected a number of minutes")
    if ttl <= 0 or ttl > SESSION_TTL_MAX_MINUTES:
        raise field_error(
            "time_to_live", f"must be more than 0 and at most {SESSION_TTL_MAX_MINUTES} minutes"
        )
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

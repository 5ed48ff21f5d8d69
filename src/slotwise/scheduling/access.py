"""Who may use a configuration on the scheduling endpoints (availability, ui-settings, bookings).

* An admin API key reaches every configuration (named by `configuration_id` or `slug`); on
  booking routes it may also name no configuration at all.
* A session bearer token reaches exactly its own configuration. An expired or deleted session
  is refused (401 `invalid_session`), and a query naming another configuration is refused.
* Without credentials only public configurations (`requires_session_auth` false) are reachable,
  named by `configuration_id`, or by `slug` (with the application's `client_id` if given).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import Configuration
from slotwise.errors import Forbidden, InvalidRequest, InvalidSession, NotFound, Unauthorized
from slotwise.scheduling import repository

API_KEY = "api_key"
SESSION = "session"
PUBLIC = "public"
# A caller the face has already checked holds the organizer's authority over the configuration
# (a v2 page's edit_token or access token): it may confirm, and is not held to what the
# configuration hides from guests.
ORGANIZER = "organizer"


@dataclass(frozen=True)
class Access:
    configuration: Configuration | None  # None only for an API key naming no configuration
    via: str

    @property
    def is_admin(self) -> bool:
        return self.via == API_KEY

    @property
    def is_guest(self) -> bool:
        """A booking UI's caller (session or anonymous): the guest's side of a booking."""
        return self.via in (SESSION, PUBLIC)

    def require_configuration(self) -> Configuration:
        if self.configuration is None:
            raise InvalidRequest("configuration_id: name the configuration (or slug)")
        return self.configuration


def _named(
    session: Session,
    configuration_id: str | None,
    slug: str | None,
    client_id: str | None,
    application_id: str,
) -> Configuration | None:
    if configuration_id:
        config = repository.find_configuration(session, configuration_id)
        if config is None:
            raise NotFound(f"configuration {configuration_id} not found")
        return config
    if slug:
        if client_id and client_id != application_id:
            raise NotFound(f"no configuration with slug {slug!r} for client_id {client_id!r}")
        config = repository.find_by_slug(session, slug)
        if config is None:
            raise NotFound(f"no configuration with slug {slug!r}")
        return config
    return None


def resolve_access(
    session: Session,
    *,
    token: str | None,
    token_is_api_key: bool,
    configuration_id: str | None,
    slug: str | None,
    client_id: str | None,
    application_id: str,
    configuration_required: bool = True,
) -> Access:
    if token and token_is_api_key:
        config = _named(session, configuration_id, slug, client_id, application_id)
        if config is None and configuration_required:
            raise InvalidRequest("configuration_id: name the configuration (or slug)")
        return Access(config, API_KEY)
    if token:
        row = repository.find_session(session, token)
        if row is None:
            raise InvalidSession("The session is invalid, expired or was deleted")
        if row.expires_at <= clock.now():
            raise InvalidSession("The session has expired")
        config = repository.find_configuration(session, row.configuration_id)
        if config is None:
            raise InvalidSession("The session's configuration no longer exists")
        if (configuration_id and configuration_id != config.id) or (slug and slug != config.slug):
            raise Forbidden("The session does not give access to that configuration")
        return Access(config, SESSION)
    config = _named(session, configuration_id, slug, client_id, application_id)
    if config is None:
        raise InvalidRequest("configuration_id: give configuration_id, or slug and client_id")
    if config.requires_session_auth:
        raise Unauthorized("This configuration requires a session (Authorization: Bearer)")
    return Access(config, PUBLIC)

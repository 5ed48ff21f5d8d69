"""Webhook destinations: create (after the challenge handshake), update, rotate, delete."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from slotwise import clock, keyring, outbound
from slotwise.db.models import WebhookDestination
from slotwise.errors import NotFound, field_error
from slotwise.ids import new_id
from slotwise.webhooks import repository
from slotwise.webhooks.schemas import CreateWebhook, UpdateWebhook
from slotwise.webhooks.sender import bounded_request
from slotwise.webhooks.triggers import KNOWN_TRIGGERS, visible_triggers

# The echo is a 32-character value; surrounding whitespace is tolerated, within reason.
_ECHO_LIMIT = 65536


def new_secret() -> str:
    return secrets.token_hex(32)


def to_wire(destination: WebhookDestination, *, with_secret: bool = False) -> dict[str, Any]:
    """The destination as the SDKs read it (every field the Python SDK requires)."""
    data: dict[str, Any] = {
        "id": destination.id,
        "description": destination.description,
        "trigger_types": visible_triggers(list(destination.trigger_types or [])),
        "webhook_url": destination.webhook_url,
        "status": destination.status,
        "notification_email_addresses": list(destination.notification_email_addresses or []),
        "compressed_delivery": bool(destination.compressed_delivery),
        "status_updated_at": destination.status_updated_at,
        "created_at": destination.created_at,
        "updated_at": destination.updated_at,
    }
    if with_secret:
        data["webhook_secret"] = keyring.unseal(destination.sealed_secret)
    return data


def check_triggers(triggers: list[str]) -> list[str]:
    if not triggers:
        raise field_error("trigger_types", "must name at least one trigger type")
    for trigger in triggers:
        if trigger not in KNOWN_TRIGGERS:
            raise field_error("trigger_types", f"unknown trigger type {trigger!r}")
    return list(dict.fromkeys(triggers))


def check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError:
        raise field_error("webhook_url", "must be an absolute http or https URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise field_error("webhook_url", "must be an absolute http or https URL")
    return url.strip()


def check_emails(addresses: list[str]) -> list[str]:
    for address in addresses:
        if "@" not in address or any(c.isspace() for c in address.strip()):
            raise field_error("notification_email_addresses", f"not an email address: {address!r}")
    return [a.strip() for a in addresses]


def verify_endpoint(url: str, timeout: float) -> None:
    """The challenge handshake: GET url?challenge=<random> must echo the value as its body.

    Run before any database write, so a slow endpoint holds no lock. Leading and trailing
    whitespace around the echoed value is tolerated.
    """
    challenge = secrets.token_urlsafe(24)
    try:
        response, answer = bounded_request(
            "GET", url, timeout=timeout, max_bytes=_ECHO_LIMIT, params={"challenge": challenge}
        )
    except outbound.OutboundRefused as exc:
        raise field_error("webhook_url", f"the address is not allowed: {exc}") from None
    except httpx.TimeoutException:
        raise field_error(
            "webhook_url", f"the endpoint did not answer the challenge within {timeout:g} s"
        ) from None
    except httpx.HTTPError as exc:
        raise field_error("webhook_url", f"the challenge request failed ({exc})") from None
    if response.status_code != 200:
        raise field_error(
            "webhook_url", f"the challenge request got HTTP {response.status_code}, not 200"
        )
    if len(answer) > _ECHO_LIMIT:
        raise field_error("webhook_url", "the endpoint answered the challenge with a huge body")
    if answer.decode("utf-8", "replace").strip() != challenge:
        raise field_error("webhook_url", "the endpoint did not echo the challenge value")


def create_destination(session: Session, body: CreateWebhook) -> WebhookDestination:
    """Store a destination whose endpoint has already passed `verify_endpoint`."""
    now = clock.now()
    destination = WebhookDestination(
        id=new_id(),
        description=body.description,
        trigger_types=check_triggers(body.trigger_types),
        webhook_url=check_url(body.webhook_url),
        status="active",
        notification_email_addresses=check_emails(body.notification_email_addresses or []),
        compressed_delivery=bool(body.compressed_delivery),
        sealed_secret=keyring.seal(new_secret()),
        failure_streak_since_ms=None,
        status_updated_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(destination)
    session.flush()
    return destination


def page_endpoint(session: Session, configuration_id: str, url: str) -> WebhookDestination:
    """The destination of a page reminder's `webhook_url`, made on first use.

    It is a destination like the registered ones, so its deliveries get their retries,
    breaker and outbound policy, but it belongs to the configuration: it gets that
    configuration's reminders only and is not listed by /v3/webhooks. Its signing secret is
    Slotwise's own (v2 reminders were unsigned; receivers may ignore the signature headers).
    """
    existing = repository.page_endpoint(session, configuration_id, url)
    if existing is not None:
        return existing
    now = clock.now()
    destination = WebhookDestination(
        id=new_id(),
        description=f"reminders of configuration {configuration_id}",
        trigger_types=["booking.reminder"],
        webhook_url=url,
        status="active",
        notification_email_addresses=[],
        compressed_delivery=False,
        sealed_secret=keyring.seal(new_secret()),
        failure_streak_since_ms=None,
        status_updated_at=now,
        created_at=now,
        updated_at=now,
        configuration_id=configuration_id,
    )
    session.add(destination)
    session.flush()
    return destination


def reopen_page_endpoints(session: Session, configuration_id: str) -> None:
    """Saving a page again re-activates the reminder endpoints the breaker gave up on: the
    page's editor has no webhook API to do it with, and saving is how they say "fixed"."""
    repository.reactivate_page_endpoints(session, configuration_id, clock.now())


def drop_page_endpoints(session: Session, configuration_id: str) -> None:
    """A deleted page's reminder endpoints (and, by cascade, their deliveries)."""
    repository.delete_page_endpoints(session, configuration_id)


def get_destination(session: Session, destination_id: str) -> WebhookDestination:
    destination = repository.find_destination(session, destination_id)
    if destination is None:
        raise NotFound(f"webhook destination {destination_id!r} not found")
    return destination


def needs_verification(destination: WebhookDestination, body: UpdateWebhook) -> str | None:
    """The URL to challenge before `update_destination`: re-activation or a new URL."""
    url = check_url(body.webhook_url) if body.webhook_url is not None else None
    reactivating = body.status == "active" and destination.status != "active"
    if (url is not None and url != destination.webhook_url) or reactivating:
        return url or destination.webhook_url
    return None


def update_destination(
    session: Session, destination: WebhookDestination, body: UpdateWebhook
) -> WebhookDestination:
    """Apply a partial update; fields left out (or null) keep their values."""
    now = clock.now()
    if body.trigger_types is not None:
        destination.trigger_types = check_triggers(body.trigger_types)
    if body.webhook_url is not None:
        destination.webhook_url = check_url(body.webhook_url)
    if body.description is not None:
        destination.description = body.description
    if body.notification_email_addresses is not None:
        destination.notification_email_addresses = check_emails(body.notification_email_addresses)
    if body.compressed_delivery is not None:
        destination.compressed_delivery = body.compressed_delivery
    if body.status is not None and body.status != destination.status:
        destination.status = body.status
        destination.status_updated_at = now
        destination.failure_streak_since_ms = None
    destination.updated_at = now
    session.flush()
    return destination


def rotate_secret(session: Session, destination: WebhookDestination) -> WebhookDestination:
    """A new secret, effective at once: the next attempt of every delivery is signed with it."""
    destination.sealed_secret = keyring.seal(new_secret())
    destination.updated_at = clock.now()
    session.flush()
    return destination


def delete_destination(session: Session, destination: WebhookDestination) -> None:
    repository.delete_deliveries_of(session, destination.id)
    session.delete(destination)
    session.flush()

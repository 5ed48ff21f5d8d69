"""A grant's provider settings at rest: sealed whole, with an allow-listed part kept in clear.

`grants.sealed_settings` holds every provider setting (CalDAV password, feed URL, anything a
client sent) sealed with the keyring; `grants.settings` holds only what may be shown and
queried: the names in SHOWN, the URL with its user-info and query values redacted. A setting
is a credential unless it is on this list, whatever its name.
"""

from __future__ import annotations

import json
from typing import Any

from slotwise import keyring
from slotwise.db.models import Grant, ProviderCalendar
from slotwise.redact import redact_url

SHOWN = ("email", "name", "timezone", "username")


def shown_settings(settings: dict[str, Any]) -> dict[str, Any]:
    shown = {key: settings[key] for key in SHOWN if key in settings}
    url = settings.get("url")
    if isinstance(url, str):
        shown["url"] = redact_url(url)
    return shown


def store(grant: Grant, settings: dict[str, Any]) -> None:
    """Keep `settings` (the whole of them) as the grant's provider settings."""
    grant.sealed_settings = keyring.seal(json.dumps(settings))
    grant.settings = shown_settings(settings)


def provider_settings(sealed: str | None, shown: dict[str, Any] | None) -> dict[str, Any]:
    """The whole provider settings of a grant (from its two columns)."""
    if sealed:
        opened: dict[str, Any] = json.loads(keyring.unseal(sealed))
        return opened
    return dict(shown or {})


def of(grant: Grant) -> dict[str, Any]:
    return provider_settings(grant.sealed_settings, grant.settings)


def remote_url(calendar: ProviderCalendar) -> str:
    """The URL of a mirrored calendar (stored sealed: a feed's URL can be its only secret)."""
    return keyring.unseal(calendar.sealed_url)


def seal_url(url: str) -> str:
    return keyring.seal(url)

"""Pages: create, update, delete, read. Never commits: the request boundary does.

A page is one scheduling configuration (scheduling.service stores and checks it, so slugs are
shared with v3 configurations and unique across both) plus the page row, which keeps the v2
object as sent, the page's accounts and the digest of its `edit_token`.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import Configuration, Grant, SchedulingPage
from slotwise.documents import part_as_sent
from slotwise.errors import Forbidden, NotFound, Unauthorized, field_error
from slotwise.pages import repository
from slotwise.pages.access import EDITOR, PageCaller
from slotwise.pages.mapping import (
    Account,
    check_calendar_ids,
    check_opening_hours_accounts,
    configuration_document,
)
from slotwise.pages.schemas import check_page
from slotwise.pages.stored import read_page
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling import service as scheduling
from slotwise.tokens.secrets import EDIT_TOKEN_PREFIX, digest, new_secret
from slotwise.tokens.service import grant_for_token
from slotwise.webhooks import service as webhooks

MAX_ACCOUNTS = 20
# Keys of the v2 page a client may write; the rest (id, edit_token, dates…) are read-only.
WRITABLE = ("name", "slug", "config")


@dataclass(frozen=True)
class PageView:
    page: SchedulingPage
    configuration: Configuration
    edit_token: str | None = None  # only right after creation


def _accounts(session: Session, grant_ids: list[str]) -> list[Account]:
    found = repository.grants_with_calendars(session, grant_ids)
    return [Account(found[g][0], tuple(found[g][1])) for g in grant_ids if g in found]


def _grants_of_tokens(session: Session, caller: PageCaller, tokens: Any) -> list[Grant]:
    if tokens is None:
        if caller.grant is None:
            raise field_error("access_tokens", "is required (the page's accounts)")
        return [caller.grant]
    if not isinstance(tokens, list) or not tokens:
        raise field_error("access_tokens", "expected a list of one or more access tokens")
    if len(tokens) > MAX_ACCOUNTS:
        raise field_error("access_tokens", f"at most {MAX_ACCOUNTS} accounts per page")
    grants: list[Grant] = []
    for i, token in enumerate(tokens):
        grant = grant_for_token(session, token) if isinstance(token, str) else None
        if grant is None:
            raise Unauthorized(f"access_tokens[{i}]: not a valid access token (unknown or revoked)")
        if any(g.id == grant.id for g in grants):
            raise field_error(f"access_tokens[{i}]", "names an account already on the page")
        grants.append(grant)
    return grants


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(body[k]) for k in WRITABLE if k in body}


def _document_for(
    session: Session, stored: dict[str, Any], accounts: list[Account]
) -> dict[str, Any]:
    page = check_page(stored)
    for i, account in enumerate(accounts):
        if account.primary_calendar_id is None:
            raise field_error(f"access_tokens[{i}]", f"{account.grant.email} has no calendar")
    check_calendar_ids(page.config, accounts)
    check_opening_hours_accounts(page.config, accounts)
    return configuration_document(page, accounts)


def create_page(session: Session, caller: PageCaller, body: dict[str, Any]) -> PageView:
    if caller.kind == EDITOR:
        raise Forbidden("An edit_token edits its own page only; it cannot create pages")
    grants = _grants_of_tokens(session, caller, body.get("access_tokens"))
    accounts = _accounts(session, [g.id for g in grants])
    stored = _writable(body)
    if not stored.get("slug"):
        # Public routes need a slug; one is made up when the page gives none.
        stored["slug"] = f"page-{secrets.token_hex(5)}"
    document = _document_for(session, stored, accounts)
    config = scheduling.create_configuration(session, accounts[0].grant, document)
    edit_token = new_secret(EDIT_TOKEN_PREFIX)
    now = clock.now()
    page = SchedulingPage(
        configuration_id=config.id,
        edit_token_hash=digest(edit_token),
        document=stored,
        created_at=now,
        updated_at=now,
    )
    session.add(page)
    session.flush()
    repository.replace_accounts(session, page.id, [g.id for g in grants])
    return PageView(page, config, edit_token)


def configuration_of(session: Session, page: SchedulingPage) -> Configuration:
    config = scheduling_repository.find_configuration(session, page.configuration_id)
    if config is None:  # deleted through v3 meanwhile; the cascade takes the page with it
        raise NotFound(f"page {page.id} not found")
    return config


def update_page(session: Session, page: SchedulingPage, body: dict[str, Any]) -> PageView:
    """PUT: the writable keys sent replace the stored ones; read-only ones are ignored."""
    stored = {**copy.deepcopy(page.document), **_writable(body)}
    if not stored.get("slug"):
        stored["slug"] = page.document.get("slug")
    accounts = _accounts(session, repository.account_grant_ids(session, page.id))
    if not accounts:
        raise NotFound(f"page {page.id} not found")
    document = _document_for(session, stored, accounts)
    config = configuration_of(session, page)
    scheduling.update_configuration(session, config, document)
    webhooks.reopen_page_endpoints(session, config.id)
    page.document = stored
    page.updated_at = clock.now()
    session.flush()
    return PageView(page, config)


def delete_page(session: Session, page: SchedulingPage) -> None:
    """The configuration goes, and with it (cascade) the page, its bookings and images."""
    config = configuration_of(session, page)
    webhooks.drop_page_endpoints(session, config.id)
    session.expunge(page)  # the database's cascade removes its row
    session.delete(config)
    session.flush()


def view_of(session: Session, page: SchedulingPage) -> PageView:
    return PageView(page, configuration_of(session, page))


def list_pages(session: Session, caller: PageCaller, *, offset: int, limit: int) -> list[PageView]:
    if caller.kind == EDITOR:
        assert caller.page_id is not None
        page = repository.find_page(session, caller.page_id)
        pages = [page] if page is not None and offset == 0 else []
    else:
        pages = repository.list_pages(
            session, grant_id=caller.grant_filter, offset=offset, limit=limit
        )
    return [view_of(session, p) for p in pages]


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def page_to_dict(view: PageView, application_id: str) -> dict[str, Any]:
    """The v2 page: the stored name and config as sent, the dates as "YYYY-MM-DD"."""
    page = view.page
    out: dict[str, Any] = {
        "id": page.id,
        "app_client_id": application_id,
        "app_organization_id": 0,
        "name": read_page(page).name or "",
        "slug": view.configuration.slug,
        "config": copy.deepcopy(part_as_sent(page.document, "config")),
        "created_at": _day(page.created_at),
        "modified_at": _day(page.updated_at),
    }
    if view.edit_token is not None:
        out["edit_token"] = view.edit_token
    return out


# Kept out of the public `info`: reminders may carry webhook URLs, which are the owner's.
PRIVATE_CONFIG_KEYS = ("reminders",)


def public_page_dict(view: PageView, application_id: str) -> dict[str, Any]:
    """The page as `/schedule/{slug}/info` shows anyone: no tokens, no reminders."""
    out = page_to_dict(PageView(view.page, view.configuration), application_id)
    for key in PRIVATE_CONFIG_KEYS:
        out["config"].pop(key, None)
    return out


def calendars_of_page(session: Session, page: SchedulingPage) -> list[dict[str, Any]]:
    """The page's accounts, each with its calendars (v2 calendar objects)."""
    accounts = _accounts(session, repository.account_grant_ids(session, page.id))
    return [
        {
            "id": a.grant.id,
            "name": a.grant.name or "",
            "email": a.grant.email,
            "calendars": [
                {
                    "id": c.id,
                    "account_id": a.grant.id,
                    "name": c.name,
                    "description": c.description,
                    "is_primary": c.is_primary,
                    "read_only": c.read_only,
                    "timezone": c.timezone,
                    "object": "calendar",
                }
                for c in a.calendars
            ],
        }
        for a in accounts
    ]

"""Who may use `/manage/pages…`, and which pages they reach.

* the admin API key: every page;
* a grant's access token: the pages that grant is an account of (and it may create pages);
* a page's `edit_token`: that page only — it can neither list others, create pages, nor reach
  any v3 route (it is not an API key nor an access token, and nothing else looks it up).

A page out of reach is reported as not found, so a token cannot probe which ids exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise.db.models import Grant, SchedulingPage
from slotwise.errors import NotFound, Unauthorized
from slotwise.pages import repository
from slotwise.tokens.secrets import digest
from slotwise.tokens.service import MAX_TOKEN_LENGTH, grant_for_token

ADMIN = "admin"
ACCOUNT = "account"
EDITOR = "editor"


@dataclass(frozen=True)
class PageCaller:
    kind: str
    grant: Grant | None = None  # ACCOUNT
    page_id: int | None = None  # EDITOR

    @property
    def grant_filter(self) -> str | None:
        return self.grant.id if self.grant is not None else None


def identify(session: Session, token: str | None, *, is_admin: bool) -> PageCaller:
    """The caller behind a presented token (already known to be an admin key or not)."""
    if is_admin:
        return PageCaller(ADMIN)
    if not token:
        raise Unauthorized("Authorization: missing access token (Bearer or Basic)")
    if len(token) <= MAX_TOKEN_LENGTH:
        page = repository.page_of_edit_token(session, digest(token))
        if page is not None:
            return PageCaller(EDITOR, page_id=page.id)
    grant = grant_for_token(session, token)
    if grant is None:
        raise Unauthorized("Authorization: the access token is not valid (unknown or revoked)")
    return PageCaller(ACCOUNT, grant=grant)


def reachable_page(session: Session, caller: PageCaller, page_id: int) -> SchedulingPage:
    page = repository.find_page(session, page_id)
    if page is None or not may_reach(session, caller, page):
        raise NotFound(f"page {page_id} not found")
    return page


def may_reach(session: Session, caller: PageCaller, page: SchedulingPage) -> bool:
    if caller.kind == ADMIN:
        return True
    if caller.kind == EDITOR:
        return caller.page_id == page.id
    assert caller.grant is not None
    return caller.grant.id in repository.account_grant_ids(session, page.id)

"""The typed reading of a stored v2 page (`scheduling_pages.document`).

A page is stored as sent and answered as sent (`pages.service.page_to_dict` passes its
`config` on whole, unknown keys included); `pages.schemas.NewPage` checked it when it was
written. This is what the page's own routes act on, read without checking it again: only the
keys Slotwise reads of a stored page (its configuration carries the rest, as
`slotwise.documents` reads it). A null reads as absent, and booleans keep the v2 reading
(`pages.schemas.as_bool`: true/false or the strings "true"/"false").
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from slotwise.db.models import SchedulingPage
from slotwise.pages.schemas import as_bool

V2Bool = Annotated[bool, BeforeValidator(as_bool)]


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _unset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if v is not None}


class StoredBookingRules(_Stored):
    """`config.booking`: what the booking form asks of a guest."""

    name_field_hidden: V2Bool = False
    additional_guests_hidden: V2Bool = False


class StoredAppearance(_Stored):
    logo: str | None = None  # the URL of the page's image (pages.images keeps that one)


class StoredPageConfig(_Stored):
    locale: str | None = None
    locale_for_guests: str | None = None
    booking: StoredBookingRules = Field(default_factory=StoredBookingRules)
    appearance: StoredAppearance = Field(default_factory=StoredAppearance)


class StoredPage(_Stored):
    name: str | None = None
    config: StoredPageConfig = Field(default_factory=StoredPageConfig)


def read_page(page: SchedulingPage) -> StoredPage:
    """The typed reading of a stored page."""
    return StoredPage.model_validate(page.document)

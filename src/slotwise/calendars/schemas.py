"""Calendar request bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from slotwise.events.schemas import check_metadata

Color = Annotated[str, Field(max_length=16)]


class CalendarFields(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    description: Annotated[str, Field(max_length=8192)] | None = None
    location: Annotated[str, Field(max_length=500)] | None = None
    timezone: str | None = None
    metadata: dict[str, Annotated[str, Field(max_length=500)]] | None = None
    notetaker: dict[str, Any] | None = None
    hex_color: Color | None = Field(
        default=None, validation_alias=AliasChoices("hex_color", "hexColor")
    )
    hex_foreground_color: Color | None = Field(
        default=None,
        validation_alias=AliasChoices("hex_foreground_color", "hexForegroundColor"),
    )

    _metadata = field_validator("metadata")(check_metadata)

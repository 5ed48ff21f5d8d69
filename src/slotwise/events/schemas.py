"""Event request bodies (create and update), validated into 400s that name the field."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from slotwise.validation import Bool, Int, email_problem

PARTICIPANT_STATUSES = ("noreply", "yes", "no", "maybe")
METADATA_KEYS = ("key1", "key2", "key3", "key4", "key5")
MAX_PARTICIPANTS = 500

Text = Annotated[str, Field(max_length=8192)]
Short = Annotated[str, Field(max_length=1024)]


def check_email(value: str) -> str:
    value = value.strip()
    if problem := email_problem(value, dotless=True):
        raise ValueError(problem)
    return value


def check_metadata(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    if len(value) > 50:
        raise ValueError("at most 50 keys")
    for key, item in value.items():
        if not key or len(key) > 40:
            raise ValueError(f"key {key[:50]!r} must be 1 to 40 characters")
        if len(item) > 500:
            raise ValueError(f"value of {key!r} is longer than 500 characters")
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Participant(_Body):
    email: str
    name: Short | None = None
    status: Literal["noreply", "yes", "no", "maybe"] | None = None
    comment: Text | None = None
    phone_number: Short | None = Field(
        default=None, validation_alias=AliasChoices("phone_number", "phoneNumber")
    )

    _email = field_validator("email")(check_email)


class ReminderOverride(_Body):
    reminder_minutes: Int = Field(ge=0, le=40_320)
    reminder_method: Short | None = None


class Reminders(_Body):
    use_default: Bool
    overrides: list[ReminderOverride] | None = Field(default=None, max_length=20)


class Conferencing(_Body):
    model_config = ConfigDict(extra="allow")
    provider: Short
    details: dict[str, Any] | None = None
    autocreate: dict[str, Any] | None = None


class Resource(_Body):
    model_config = ConfigDict(extra="allow")
    email: str

    _email = field_validator("email")(check_email)


class EventFields(_Body):
    """Everything a create or update may carry; `when` is parsed on its own (see when.py)."""

    when: dict[str, Any] | None = None
    title: Short | None = None
    description: Text | None = None
    location: Short | None = None
    busy: Bool | None = None
    participants: list[Participant] | None = Field(default=None, max_length=MAX_PARTICIPANTS)
    metadata: dict[str, Annotated[str, Field(max_length=500)]] | None = None
    recurrence: list[Annotated[str, Field(max_length=2000)]] | None = Field(
        default=None, max_length=100
    )
    capacity: Int | None = Field(default=None, ge=-1, le=100_000)
    visibility: Literal["default", "public", "private"] | None = None
    conferencing: Conferencing | None = None
    reminders: Reminders | None = None
    resources: list[Resource] | None = Field(default=None, max_length=100)
    hide_participants: Bool | None = None
    notetaker: dict[str, Any] | None = None

    _metadata = field_validator("metadata")(check_metadata)


class RsvpBody(_Body):
    status: Literal["yes", "no", "maybe"]

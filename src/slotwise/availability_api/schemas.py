"""The calendar availability requests (v3 and the two v2 faces), parsed once at the face.

Open hours come out as the engine's own `WeeklyHours` / `SpecificHours`; the engine's `Rules`
are built by `rules()`. Each problem keeps the wording and field path clients have always seen
(tests pin them), so the checks are the face's shared ones, run inside the validators.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import Field, InstanceOf, ValidationInfo, field_validator, model_validator

from slotwise.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    Rules,
    SpecificHours,
    WeeklyHours,
)
from slotwise.availability_api import request_fields as fields
from slotwise.availability_api.open_hours import specific_hours, weekly_hours
from slotwise.validation import Schema, checked, problem

METHODS = {COLLECTIVE, MAX_AVAILABILITY, MAX_FAIRNESS}


# Open hours are the engine's dataclasses, built by the validators below (checked by type only).
Weekly = list[InstanceOf[WeeklyHours]]
Specific = list[InstanceOf[SpecificHours]]


def _int(field: str, value: Any, *, required: bool = False) -> int | None:
    return checked(fields.integer, {"value": value}, "value", required=required, field=field)


def _multiple_of_5(field: str, value: int | None, *, allow_zero: bool = False) -> None:
    checked(fields.minutes_multiple_of_5, field, value, allow_zero=allow_zero)


def _list(field: str, value: Any) -> list[Any]:
    return checked(fields.array, field, value)


def _open_hours(field: str, value: Any) -> list[WeeklyHours]:
    rules = _list(field, value)
    return [
        checked(weekly_hours, f"{field}[{i}]", r, sunday_first=True, default_timezone="UTC")
        for i, r in enumerate(rules)
    ]


class AvailabilityRules(Schema):
    """`availability_rules`: the method, buffers, default open hours, round-robin group."""

    availability_method: str = Field(default=None, validate_default=True)
    buffer_before: int = 0  # minutes
    buffer_after: int = 0
    default_open_hours: Weekly = Field(default_factory=list)
    tentative_as_busy: bool = True
    # Python sends round_robin_group_id, Node round_robin_event_id.
    round_robin_group_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, value: Any) -> Any:
        rules = checked(fields.obj, "availability_rules", value)
        buffer = checked(fields.obj, "availability_rules.buffer", rules.get("buffer"))
        sides = {}
        for side in ("before", "after"):
            minutes = _int(f"buffer.{side}", buffer.get(side)) or 0
            _multiple_of_5(f"availability_rules.buffer.{side}", minutes, allow_zero=True)
            sides[f"buffer_{side}"] = minutes
        group = rules.get("round_robin_group_id") or rules.get("round_robin_event_id")
        return {
            "availability_method": rules.get("availability_method"),
            "default_open_hours": rules.get("default_open_hours"),
            "tentative_as_busy": rules.get("tentative_as_busy"),
            "round_robin_group_id": str(group) if group else None,
            **sides,
        }

    @field_validator("availability_method", mode="before")
    @classmethod
    def _method(cls, value: Any) -> str:
        method = value or MAX_AVAILABILITY
        if method not in METHODS:
            raise problem(
                f"expected one of collective, max-availability, max-fairness; got {method!r}",
                field="availability_rules.availability_method",
            )
        return str(method)

    @field_validator("default_open_hours", mode="before")
    @classmethod
    def _default_hours(cls, value: Any) -> list[WeeklyHours]:
        return _open_hours("availability_rules.default_open_hours", value)

    @field_validator("tentative_as_busy", mode="before")
    @classmethod
    def _tentative(cls, value: Any) -> bool:
        return checked(fields.boolean, "availability_rules.tentative_as_busy", value, True)


class AvailabilityParticipant(Schema):
    """One participant; its open hours are its own, else the request's default ones."""

    field: str  # where it sits in the request, for later messages (no grant, calendar ids)
    email: str
    calendar_ids: list[Any]
    open_hours: Weekly
    specific: Specific
    only_specific: bool


def _participant(field: str, raw: Any, default_hours: list[WeeklyHours]) -> AvailabilityParticipant:
    entry = checked(fields.obj, field, raw)
    email = entry.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise problem("expected an email address", field=f"{field}.email")
    own = entry.get("open_hours")
    hours = _open_hours(f"{field}.open_hours", own)
    hours = hours if own else default_hours
    zone = hours[0].timezone if hours else None
    where = f"{field}.specific_time_availability"
    specific = [
        checked(specific_hours, f"{where}[{j}]", s, default_timezone=zone)
        for j, s in enumerate(_list(where, entry.get("specific_time_availability")))
    ]
    only = checked(
        fields.boolean,
        f"{field}.only_specific_time_availability",
        entry.get("only_specific_time_availability"),
        False,
    )
    return AvailabilityParticipant(
        field=field,
        email=email,
        calendar_ids=_list(f"{field}.calendar_ids", entry.get("calendar_ids")),
        open_hours=hours,
        specific=specific,
        only_specific=only,
    )


class CalendarAvailabilityRequest(Schema):
    """`POST /v3/calendars/availability` (reference §5). Field order is the order of checks."""

    start_time: int = Field(default=None, validate_default=True)
    end_time: int = Field(default=None, validate_default=True)
    availability_rules: AvailabilityRules = Field(default=None, validate_default=True)
    participants: list[AvailabilityParticipant] = Field(default=None, validate_default=True)
    duration_minutes: int = Field(default=None, validate_default=True)
    interval_minutes: int | None = None
    round_to: int | None = None  # minutes; 15 unless round_to_30_minutes
    round_to_30_minutes: bool = False

    @field_validator("start_time", "end_time", "duration_minutes", mode="before")
    @classmethod
    def _required(cls, value: Any, info: ValidationInfo) -> int:
        number = _int(str(info.field_name), value, required=True)
        assert number is not None  # required
        return number

    @field_validator("availability_rules", mode="before")
    @classmethod
    def _rules(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("participants", mode="before")
    @classmethod
    def _participants(cls, value: Any, info: ValidationInfo) -> list[AvailabilityParticipant]:
        raw = _list("participants", value)
        if not raw:
            raise problem("is required and must not be empty", field="participants")
        if len(raw) > fields.MAX_PARTICIPANTS:
            raise problem(f"at most {fields.MAX_PARTICIPANTS} are allowed", field="participants")
        rules = info.data.get("availability_rules")
        default_hours = rules.default_open_hours if rules is not None else []
        out: list[AvailabilityParticipant] = []
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            participant = _participant(f"participants[{i}]", entry, default_hours)
            if participant.email.lower() in seen:
                raise problem(
                    f"{participant.email} is listed twice", field=f"participants[{i}].email"
                )
            seen.add(participant.email.lower())
            out.append(participant)
        return out

    @field_validator("interval_minutes", "round_to", mode="before")
    @classmethod
    def _optional(cls, value: Any, info: ValidationInfo) -> int | None:
        return _int(str(info.field_name), value)

    @field_validator("round_to_30_minutes", mode="before")
    @classmethod
    def _thirty(cls, value: Any) -> bool:
        return checked(fields.boolean, "round_to_30_minutes", value, False)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarAvailabilityRequest:
        checked(fields.window, self.start_time, self.end_time)
        _multiple_of_5("duration_minutes", self.duration_minutes)
        _multiple_of_5("interval_minutes", self.interval_minutes)
        if self.round_to is None:
            self.round_to = 30 if self.round_to_30_minutes else 15
        _multiple_of_5("round_to", self.round_to)
        if self.round_to > 60:
            raise problem("must be at most 60", field="round_to")
        return self

    def rules(self) -> Rules:
        """The engine's rules; `round_to` counts in the first open hours' zone, else UTC."""
        zone = next((p.open_hours[0].timezone for p in self.participants if p.open_hours), "UTC")
        rules = self.availability_rules
        return Rules(
            duration=self.duration_minutes * 60,
            interval=None if self.interval_minutes is None else self.interval_minutes * 60,
            round_to=(self.round_to or 15) * 60,
            round_to_timezone=zone,
            method=rules.availability_method,
            buffer_before=rules.buffer_before * 60,
            buffer_after=rules.buffer_after * 60,
        )


class CalendarExplainRequest(CalendarAvailabilityRequest):
    """`POST /v3/calendars/availability/explain`: the availability body plus `times`."""

    times: list[int] = Field(default=None, validate_default=True)

    @field_validator("times", mode="before")
    @classmethod
    def _times(cls, value: Any) -> list[int]:
        return checked(fields.time_list, "times", value)

    @model_validator(mode="after")
    def _short_enough(self) -> CalendarExplainRequest:
        if self.duration_minutes > fields.MAX_EXPLAINED_MINUTES:
            raise problem(
                f"must be at most {fields.MAX_EXPLAINED_MINUTES} to be explained",
                field="duration_minutes",
            )
        return self


# -- v2 (seed 003): POST /calendars/availability and /calendars/availability/consecutive ---------

ROUND_ROBIN = {None: COLLECTIVE, MAX_AVAILABILITY: MAX_AVAILABILITY, MAX_FAIRNESS: MAX_FAIRNESS}


def _flat_emails(value: Any) -> list[Any]:
    """The consecutive face nests emails one level deeper; flatten either shape."""
    out: list[Any] = []
    for item in value if isinstance(value, list) else []:
        out.extend(item if isinstance(item, list) else [item])
    return out


class OpenHoursV2(Schema):
    """One `open_hours` entry: a weekly rule (0 = Monday) and the emails it applies to."""

    field: str
    rule: InstanceOf[WeeklyHours]
    emails: list[Any]


class CalendarsV2(Schema):
    """One `calendars` entry: an account (grant id or email) and the calendars to read."""

    field: str
    account_id: Any
    calendar_ids: list[str]


class RequestV2(Schema):
    """What both v2 faces share: the window, the rules, and the busy time given or to read."""

    start_time: int = Field(default=None, validate_default=True)
    end_time: int = Field(default=None, validate_default=True)
    duration_minutes: int | None = None
    interval_minutes: int | None = None
    buffer: int = 0
    round_robin: str = Field(default=None, validate_default=True)  # the engine's method
    free_busy: dict[str, list[tuple[int, int]]] = Field(default_factory=dict)
    open_hours: list[OpenHoursV2] = Field(default_factory=list)
    calendars: list[CalendarsV2] = Field(default_factory=list)
    tentative_busy: bool = True

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def _epoch(cls, value: Any, info: ValidationInfo) -> int:
        name = str(info.field_name)
        number = checked(fields.integer, {name: value}, name, allow_string=True)
        assert number is not None  # required
        return number

    @field_validator("interval_minutes", mode="before")
    @classmethod
    def _interval(cls, value: Any) -> int | None:
        interval = _int("interval_minutes", value)
        if interval is not None and interval <= 0:
            raise problem("must be positive", field="interval_minutes")
        return interval

    @field_validator("buffer", mode="before")
    @classmethod
    def _buffer(cls, value: Any) -> int:
        buffer = _int("buffer", value) or 0
        if buffer < 0:
            raise problem("must not be negative", field="buffer")
        return buffer

    @field_validator("round_robin", mode="before")
    @classmethod
    def _method(cls, value: Any) -> str:
        if not isinstance(value, str | None) or value not in ROUND_ROBIN:
            raise problem(
                f"expected null, max-availability or max-fairness; got {value!r}",
                field="round_robin",
            )
        return ROUND_ROBIN[value]

    @field_validator("free_busy", mode="before")
    @classmethod
    def _free_busy(cls, value: Any) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, raw in enumerate(_list("free_busy", value)):
            field = f"free_busy[{i}]"
            entry = checked(fields.obj, field, raw)
            email = entry.get("email")
            if not isinstance(email, str) or "@" not in email:
                raise problem("expected an email address", field=f"{field}.email")
            out[email.lower()]  # an entry with no slots still says "this person is known: free"
            for j, slot in enumerate(_list(f"{field}.time_slots", entry.get("time_slots"))):
                where = f"{field}.time_slots[{j}]"
                slot = checked(fields.obj, where, slot)
                start, end = (
                    checked(
                        fields.required_int, slot, key, allow_string=True, field=f"{where}.{key}"
                    )
                    for key in ("start_time", "end_time")
                )
                if end < start:
                    raise problem("must not be before start_time", field=f"{where}.end_time")
                out[email.lower()].append((start, end))
        return dict(out)

    @field_validator("open_hours", mode="before")
    @classmethod
    def _open_hours(cls, value: Any) -> list[OpenHoursV2]:
        out = []
        for i, raw in enumerate(_list("open_hours", value)):
            field = f"open_hours[{i}]"
            rule = checked(weekly_hours, field, raw, sunday_first=False, default_timezone=None)
            emails = _flat_emails(checked(fields.obj, field, raw).get("emails"))
            out.append(OpenHoursV2(field=field, rule=rule, emails=emails))
        return out

    @field_validator("calendars", mode="before")
    @classmethod
    def _calendars(cls, value: Any) -> list[CalendarsV2]:
        out = []
        for i, raw in enumerate(_list("calendars", value)):
            entry = checked(fields.obj, f"calendars[{i}]", raw)
            ids = _list(f"calendars[{i}].calendar_ids", entry.get("calendar_ids"))
            out.append(
                CalendarsV2(
                    field=f"calendars[{i}]",
                    account_id=entry.get("account_id"),
                    calendar_ids=[str(c) for c in ids],
                )
            )
        return out

    @field_validator("tentative_busy", mode="before")
    @classmethod
    def _tentative(cls, value: Any) -> bool:
        return checked(fields.boolean, "tentative_busy", value, True)

    @model_validator(mode="after")
    def _window(self) -> RequestV2:
        checked(fields.window, self.start_time, self.end_time)
        return self

    def rules(self) -> Rules:
        return Rules(
            duration=(self.duration_minutes or 0) * 60,
            interval=None if self.interval_minutes is None else self.interval_minutes * 60,
            method=self.round_robin,
            buffer_before=self.buffer * 60,
            buffer_after=self.buffer * 60,
        )

    def hours_by_email(self, emails: list[str]) -> dict[str, list[WeeklyHours]]:
        """Each checked email's open hours; every email an entry names must be checked."""
        known = {e.lower() for e in emails}
        out: dict[str, list[WeeklyHours]] = defaultdict(list)
        for entry in self.open_hours:
            for email in entry.emails:
                if not isinstance(email, str) or email.lower() not in known:
                    raise problem(
                        f"{email!r} is not one of the emails checked", field=f"{entry.field}.emails"
                    )
                out[email.lower()].append(entry.rule)
        return dict(out)


def _duration(value: Any) -> int | None:
    duration = _int("duration_minutes", value)
    if duration is not None and duration <= 0:
        raise problem("must be positive", field="duration_minutes")
    return duration


class AvailabilityRequestV2(RequestV2):
    """POST /calendars/availability: the slots free for `emails`."""

    duration_minutes: int = Field(default=None, validate_default=True)
    emails: list[str] = Field(default=None, validate_default=True)

    @field_validator("duration_minutes", mode="before")
    @classmethod
    def _required_duration(cls, value: Any) -> int:
        if value is None:
            raise problem("is required", field="duration_minutes")
        return int(_duration(value) or 0)

    @field_validator("emails", mode="before")
    @classmethod
    def _emails(cls, value: Any) -> list[str]:
        return checked(fields.email_list, "emails", value)

    @model_validator(mode="after")
    def _hours_known(self) -> AvailabilityRequestV2:
        self.hours = self.hours_by_email(self.emails)
        return self

    hours: dict[str, list[WeeklyHours]] = Field(default_factory=dict)


class Meeting(Schema):
    emails: tuple[str, ...]
    duration: int  # seconds


class ConsecutiveRequestV2(RequestV2):
    """POST /calendars/availability/consecutive: back-to-back meetings (seed 003)."""

    meetings: list[Meeting] | None = None
    emails: Any = None  # the 2D form, read when `meetings` is absent
    hours: dict[str, list[WeeklyHours]] = Field(default_factory=dict)

    @field_validator("duration_minutes", mode="before")
    @classmethod
    def _optional_duration(cls, value: Any) -> int | None:
        return _duration(value)

    @field_validator("meetings", mode="before")
    @classmethod
    def _meetings(cls, value: Any) -> list[Meeting] | None:
        if value is None:
            return None
        meetings = []
        for i, raw in enumerate(_list("meetings", value)):
            entry = checked(fields.obj, f"meetings[{i}]", raw)
            where = f"meetings[{i}].duration_minutes"
            duration = checked(fields.required_int, entry, "duration_minutes", field=where)
            if duration <= 0:
                raise problem("must be positive", field=where)
            emails = _list(f"meetings[{i}].emails", entry.get("emails"))
            meetings.append(Meeting(emails=tuple(str(e) for e in emails), duration=duration * 60))
        return meetings

    @model_validator(mode="after")
    def _everyone(self) -> ConsecutiveRequestV2:
        # `meetings` overrides `emails` and `duration_minutes` (seed 003); else the 2D `emails`.
        if self.meetings is None:
            if self.duration_minutes is None:
                raise problem(
                    "is required unless meetings give durations", field="duration_minutes"
                )
            meetings = []
            for i, group in enumerate(_list("emails", self.emails)):
                if not isinstance(group, list) or not group:
                    raise problem(
                        "expected a non-empty list of emails (one meeting)", field=f"emails[{i}]"
                    )
                emails = tuple(str(e) for e in group)
                meetings.append(Meeting(emails=emails, duration=self.duration_minutes * 60))
            self.meetings = meetings
        if not self.meetings:
            raise problem("at least one meeting is required", field="meetings")
        checked(fields.email_list, "emails", self.everyone)  # the same checks and limits
        self.hours = self.hours_by_email(self.everyone)
        return self

    @property
    def everyone(self) -> list[str]:
        out: list[str] = []
        for m in self.meetings or []:
            out.extend(e for e in m.emails if e.lower() not in {x.lower() for x in out})
        return out

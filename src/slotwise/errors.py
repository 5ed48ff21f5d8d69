"""One error hierarchy for every face. Each face renders these in one place.

Expected outcomes (bad input, not found, slot taken, expired session) are `SlotwiseError`s with
a 4xx status; anything else reaching a face is a bug and becomes a 500 `internal_error`.
"""

from __future__ import annotations


class SlotwiseError(Exception):
    status_code = 400
    error_type = "invalid_request_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extra(self) -> dict[str, object]:
        """Members of the error object besides type and message."""
        return {}


class InvalidRequest(SlotwiseError):
    """The request is malformed or breaks a rule; the message names the field."""


class Unauthorized(SlotwiseError):
    status_code = 401
    error_type = "unauthorized"


class Forbidden(SlotwiseError):
    status_code = 403
    error_type = "insufficient_scopes"


class NotFound(SlotwiseError):
    status_code = 404
    error_type = "not_found_error"


class Conflict(SlotwiseError):
    status_code = 409
    error_type = "conflict"


class TimeslotUnavailable(SlotwiseError):
    status_code = 409
    error_type = "timeslot_not_available"

    def __init__(self, detail: str = "") -> None:
        message = "The selected timeslot is unavailable"
        super().__init__(f"{message}: {detail}" if detail else message + ".")
        # The next offered slots, when the face looked them up (error.suggestions).
        self.suggestions: list[dict[str, int]] | None = None

    def extra(self) -> dict[str, object]:
        return {} if self.suggestions is None else {"suggestions": self.suggestions}


class EventFull(SlotwiseError):
    """A group event's meeting has no seat left. The message is the one the scheduling
    component shows as information rather than as an error (it compares the text)."""

    status_code = 409
    error_type = "timeslot_not_available"

    def __init__(self) -> None:
        super().__init__("Event is full")


class InvalidSession(SlotwiseError):
    status_code = 401
    error_type = "invalid_session"


class PayloadTooLarge(SlotwiseError):
    status_code = 413


def field_error(field: str, problem: str) -> InvalidRequest:
    """An InvalidRequest whose message always starts with the field it is about."""
    return InvalidRequest(f"{field}: {problem}")


class RateLimited(SlotwiseError):
    """Too many requests from one client, for one configuration, or with one wrong key."""

    status_code = 429
    error_type = "rate_limit_error"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)

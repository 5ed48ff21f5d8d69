"""Validating request bodies with pydantic into 400s that name each bad field.

Every face parses its request documents through `validate_model` (one adapter from pydantic's
errors to the project's field-named 400s), into the models of each domain's `schemas.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from slotwise import outbound
from slotwise.availability.zones import is_zone
from slotwise.errors import InvalidRequest, field_error

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Latest instant accepted anywhere (9999-12-31T23:59:59Z), so date arithmetic never overflows.
MAX_EPOCH = 253_402_300_799
# The longest window one availability or free/busy request may cover (two years and a day or
# two, as Nylas allows), which bounds the work a request can ask for.
MAX_WINDOW_DAYS = 732
MAX_WINDOW_SECONDS = MAX_WINDOW_DAYS * 86_400


def check_window(start: int, end: int) -> None:
    """A request's [start_time, end_time): not empty, at most MAX_WINDOW_DAYS long."""
    if end <= start:
        raise field_error("end_time", "must be after start_time")
    if end - start > MAX_WINDOW_SECONDS:
        raise field_error("end_time", f"the window may span at most {MAX_WINDOW_DAYS} days")


def check_zone(field: str, name: object) -> str:
    """Return `name` if it is a known IANA zone, else a 400 naming `field`."""
    if not isinstance(name, str) or not name:
        raise field_error(field, "expected an IANA time zone name")
    if not is_zone(name):
        raise field_error(field, f"unknown IANA time zone {name!r}")
    return name


# Where a request field sits: not part of the field's name.
_LOCATIONS = frozenset({"body", "query", "path", "header"})


def _path(loc: Any, brackets: bool) -> str:
    out = ""
    for part in loc:
        if part in _LOCATIONS:
            continue
        if isinstance(part, int) and brackets:
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def describe(errors: Any, *, brackets: bool = False, most: int = 5) -> str:
    """One message naming each bad field and its problem ("guest.email: expected …").

    A `problem(...)` raised inside a model keeps its own wording and may name another field
    than where it was raised (a check on a list element that names the list), or a part of
    it (a `field` starting with "." or "[" follows the path where it was raised). List indices
    read `[0]` in models written that way (`brackets`), `.0` in the older ones (tests pin both).
    """
    parts = []
    for err in list(errors)[:most]:
        named = (err.get("ctx") or {}).get("field") or ""
        if not named or named.startswith((".", "[")):  # none, or a part of where it was raised
            named = (_path(err.get("loc", ()), brackets) + named).lstrip(".")
        parts.append(f"{named or 'body'}: {err.get('msg', 'is invalid')}")
    return "; ".join(parts) or "Invalid request"


def problem(message: str, *, field: str | None = None) -> PydanticCustomError:
    """A validation failure worded as the project words them; `field` overrides the path."""
    return PydanticCustomError("slotwise", "{message}", {"message": message, "field": field})


def checked(check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one of the shared field checks (which raise a field-named InvalidRequest) inside a
    model's validator, as a `problem` with the check's own field and words."""
    try:
        return check(*args, **kwargs)
    except InvalidRequest as exc:
        field, _, message = exc.message.partition(": ")
        raise problem(message, field=field) from None


class Schema(BaseModel):
    """Base of the request documents written for the project's messages (see `describe`)."""

    model_config = ConfigDict(extra="ignore")


def validate_model(
    model: type[M], data: Any, *, brackets: bool = False, first_only: bool = False
) -> M:
    """The one way a request document is parsed: a pydantic model, or a 400 naming the field
    (list indices as `[0]` in a `Schema` or if `brackets`, see `describe`). With `first_only`
    the message names the first problem only, in the model's field order."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        brackets = brackets or issubclass(model, Schema)
        most = 1 if first_only else 5
        raise InvalidRequest(describe(exc.errors(), brackets=brackets, most=most)) from None


# -- field checks shared by the hand-read documents (configurations, v2 pages) -------------------


def as_object(field: str, value: Any, *, required: bool = False) -> dict[str, Any]:
    """A JSON object field; an absent one reads as empty unless `required`."""
    if value is None:
        if required:
            raise field_error(field, "is required")
        return {}
    if not isinstance(value, dict):
        raise field_error(field, "expected an object")
    return value


def as_list(
    field: str, value: Any, *, required: bool = False, most: int | None = None
) -> list[Any]:
    """A JSON array field; an absent one reads as empty unless `required`."""
    if value is None:
        if required:
            raise field_error(field, "is required")
        return []
    if not isinstance(value, list):
        raise field_error(field, "expected a list")
    if most is not None and len(value) > most:
        raise field_error(field, f"at most {most} entries")
    return value


def whole_number(field: str, value: Any) -> int | None:
    """A JSON integer (30.0 counts; true, 30.5, NaN and strings do not), or None if absent."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or int(value) != value
    ):
        raise field_error(field, f"expected an integer, got {value!r}")
    return int(value)


def _no_bool(value: Any) -> Any:
    # JSON true/false are not numbers, whatever Python thinks.
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("expected a whole number")
    return value


def _strict_bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


Int = Annotated[int, BeforeValidator(_no_bool)]
Epoch = Annotated[int, BeforeValidator(_no_bool), Field(ge=0, le=MAX_EPOCH)]
Bool = Annotated[bool, BeforeValidator(_strict_bool)]


# -- text that reaches other people: names, addresses, subjects, links ---------------------------
#
# One set of rules for every field that ends up in an email header, a calendar invite or a page
# someone else reads. A line break in a name is a header injection once it reaches an email;
# U+2028/U+2029 are line breaks to many clients; the bidi embedding, override and isolate
# controls make a name shown to others read as something else ("‮moc.elgoog" and the like);
# a lone surrogate cannot be encoded as UTF-8, so neither PostgreSQL nor SMTP would take it.

_SURROGATES = "\ud800-\udfff"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
# One line (names, emails, titles, subjects, labels): no control character at all.
_NOT_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_SEPARATORS}{_BIDI}{_SURROGATES}]")
# Free text (descriptions, reasons, email bodies) may hold tabs and line breaks, and bidi
# controls (real right-to-left prose uses them); still no other controls, NUL or surrogates.
_NOT_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES}]")

# One @, no spaces, and none of the characters that separate addresses in a header.
EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
# Calendar participants may have a host-only domain (a@localhost).
DOTLESS_EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")
MAX_EMAIL = 320


def _problem(pattern: re.Pattern[str], value: Any) -> str | None:
    found = pattern.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    return (
        "must not contain control, line-separator or bidi-override characters "
        f"(U+{ord(found.group()):04X} at position {found.start()})"
    )


def line_problem(value: Any) -> str | None:
    """Why `value` is not a safe one-line text, or None (non-strings are not judged here)."""
    return _problem(_NOT_IN_LINE, value)


def check_line(field: str, value: Any) -> None:
    """A one-line text (if it is a string): refuse every control character (400 naming it)."""
    if problem := line_problem(value):
        raise field_error(field, problem)


def check_text(field: str, value: Any) -> None:
    """Free text (if it is a string): tabs and line breaks allowed, other controls refused."""
    if problem := _problem(_NOT_IN_TEXT, value):
        raise field_error(field, problem)


def email_problem(value: str, *, dotless: bool = False) -> str | None:
    """Why `value` (already stripped) is not an email address we send to, or None.

    Addresses are ASCII: "ｅve@example.com" (fullwidth) or "eve@ex\u0430mple.com" (a Cyrillic
    a) reads as eve@example.com but is another address, and mail servers without SMTPUTF8
    refuse non-ASCII ones anyway. An internationalised domain is written as xn--….
    """
    if problem := line_problem(value):
        return problem
    if len(value) > MAX_EMAIL or not (DOTLESS_EMAIL_RE if dotless else EMAIL_RE).match(value):
        return f"expected an email address, got {value[:100]!r}"
    if not value.isascii():
        return "must be ASCII (write an internationalised domain as xn--…)"
    return None


def check_email(field: str, value: Any) -> str:
    """An email address, stripped; refused unless it is one plain line in normalised form."""
    if not isinstance(value, str):
        raise field_error(field, f"expected an email address, got {str(value)[:100]!r}")
    if problem := line_problem(value) or email_problem(value.strip()):
        raise field_error(field, problem)
    return value.strip()


def _pydantic_line(value: str) -> str:
    if problem := line_problem(value):
        raise ValueError(problem)
    return value


# A one-line string field of a pydantic request model (names, titles, subjects).
Line = Annotated[str, AfterValidator(_pydantic_line)]


def check_http_url(field: str, value: Any) -> None:
    """An absolute http(s) URL with a host and no user-info, or None.

    These URLs are links and redirects shown to guests: `javascript:`, `data:` and
    scheme-relative `//host` ones would run script or leave for another site unannounced, and
    `https://good.example@evil.example` reads as the wrong host.
    """
    if value is None:
        return
    if not isinstance(value, str):
        raise field_error(field, "expected an absolute http(s) URL")
    check_line(field, value)
    if value != value.strip() or " " in value:
        raise field_error(field, "must not contain spaces")
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise field_error(field, "expected an absolute http(s) URL") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise field_error(field, "expected an absolute http(s) URL, such as https://example.com/")
    if "@" in parts.netloc:
        raise field_error(field, "must not contain user-info (user@host)")


def check_delivery_url(field: str, value: Any) -> None:
    """A URL Slotwise will POST to later (a page reminder's webhook_url): an absolute http(s)
    URL whose host the outbound policy lets Slotwise reach (no loopback or private address
    unless SLOTWISE_OUTBOUND_ALLOW opens it, never a metadata address)."""
    if value is None:
        return
    check_http_url(field, value)
    if len(value) > 2000:
        raise field_error(field, "must be at most 2000 characters")
    problem = outbound.url_refusal(value)
    if problem is not None:
        raise field_error(field, problem)


def is_http_url(value: Any) -> bool:
    try:
        check_http_url("url", value)
    except InvalidRequest:
        return False
    return isinstance(value, str)

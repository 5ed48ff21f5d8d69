"""The guest's answers to a configuration's `scheduler.additional_fields`.

Keys are matched after snake-casing both sides, because the Node SDK snake-cases every key of
a request body (a field `companyName` arrives as `company_name`). Answers are stored under the
configuration's own key. Keys the configuration does not define are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from slotwise.documents import AdditionalField
from slotwise.errors import field_error
from slotwise.validation import check_email, check_line, check_text

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(key: str) -> str:
    return _CAMEL.sub(r"_\1", key).replace("-", "_").lower()


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _check_one(where: str, spec: AdditionalField, value: Any) -> Any:
    kind = spec.type
    options = list(spec.options)
    if kind == "checkbox":
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise field_error(where, "expected true or false")
        return value
    if kind == "multi_select":
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v not in options:
                raise field_error(where, f"{v!r} is not one of {options}")
        return values
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise field_error(where, "expected a string")
    text = str(value)
    # Answers are shown to the organizer (emails, pages); only long-text answers span lines.
    (check_text if kind == "multi_line_text" else check_line)(where, text)
    if kind in {"dropdown", "radio_button"} and text not in options:
        raise field_error(where, f"{text!r} is not one of {options}")
    if kind == "email":
        check_email(where, text)
    if kind == "date":
        try:
            date.fromisoformat(text[:10])
        except ValueError:
            raise field_error(where, f"{text!r} is not a date (YYYY-MM-DD)") from None
    pattern = spec.pattern
    if pattern and re.fullmatch(pattern, text) is None:
        raise field_error(where, f"{text!r} does not match the pattern {pattern!r}")
    return value


def check_answers(definitions: Mapping[str, AdditionalField], answers: Any) -> dict[str, Any]:
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise field_error("additional_fields", "expected an object")
    given = {snake(str(k)): v for k, v in answers.items()}
    out: dict[str, Any] = {}
    for key, spec in definitions.items():
        where = f"additional_fields.{key}"
        value = answers.get(key, given.get(snake(key)))
        if not _present(value) or (spec.type == "checkbox" and value is False):
            if spec.required and spec.type != "metadata":
                raise field_error(where, "is required")
            if value is not None:
                out[key] = value
            continue
        out[key] = _check_one(where, spec, value)
    return out

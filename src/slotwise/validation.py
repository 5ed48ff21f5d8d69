"""Validating request bodies with pydantic into 400s that name each bad field.

Domain services that take raw dicts (so that every face validates the same way) use this; the
API layer has its own thin wrapper for route bodies.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from slotwise.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)

# Latest instant accepted anywhere (the end of year 9999), so date arithmetic never overflows.
MAX_EPOCH = 253_402_300_799


def describe(errors: Any) -> str:
    parts = []
    for err in list(errors)[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        parts.append(f"{field}: {err.get('msg', 'is invalid')}")
    return "; ".join(parts) or "Invalid request"


def validate_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(describe(exc.errors())) from None


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

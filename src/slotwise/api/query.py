"""Query-string conventions shared by the v3 list endpoints: paging, select, metadata_pair."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import Request

from slotwise.api.deps import parse_int
from slotwise.errors import field_error

MAX_LIMIT = 200


def limit_param(request: Request, default: int = 50) -> int:
    limit = parse_int("limit", request.query_params.get("limit"), default)
    assert limit is not None
    if not 1 <= limit <= MAX_LIMIT:
        raise field_error("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise field_error("page_token", "is not a token this server issued") from None
    return offset


def page_window(request: Request, default_limit: int = 50) -> tuple[int, int]:
    """(offset, limit) of the page a list request asks for (`page_token`, `limit`)."""
    limit = limit_param(request, default_limit)
    return decode_cursor(request.query_params.get("page_token")), limit


def next_cursor(offset: int, limit: int, more: bool) -> str | None:
    """The cursor after the page [offset, offset + limit) (None on the last page)."""
    return encode_cursor(offset + limit) if more else None


def paginate(
    request: Request, items: list[Any], default_limit: int = 50
) -> tuple[list[Any], str | None]:
    """One page of `items` and the cursor of the next (None on the last page)."""
    offset, limit = page_window(request, default_limit)
    page = items[offset : offset + limit]
    return page, next_cursor(offset, limit, offset + limit < len(items))


def select_fields(request: Request) -> list[str] | None:
    raw = ",".join(request.query_params.getlist("select"))
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    return fields or None


# Fields the Python SDK needs in a single-object response (it raises KeyError without them).
CALENDAR_REQUIRED = ("id", "grant_id", "name", "read_only", "is_owned_by_user")
EVENT_REQUIRED = ("id", "grant_id", "calendar_id", "busy", "participants", "when")


def apply_select(
    data: dict[str, Any], fields: list[str] | None, keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Only the `select`ed fields (plus `object` and `keep`)."""
    if not fields:
        return data
    return {k: v for k, v in data.items() if k in fields or k == "object" or k in keep}


def _split_pairs(raw: str) -> list[str]:
    """Node's "k:v,k2:v2"; a piece without a colon continues the previous value ("k:a, b")."""
    items: list[str] = []
    for piece in raw.split(","):
        if items and ":" not in piece:
            items[-1] += "," + piece
        else:
            items.append(piece)
    return items


def metadata_pairs(request: Request) -> dict[str, str]:
    """`metadata_pair` as Python sends it (repeated k:v) or as Node does (one "k:v,k2:v2")."""
    raws = request.query_params.getlist("metadata_pair")
    # Python sends one parameter per pair, so commas there belong to the value.
    items = raws if len(raws) > 1 else [i for raw in raws for i in _split_pairs(raw)]
    pairs: dict[str, str] = {}
    for item in items:
        if not item.strip():
            continue
        key, sep, value = item.partition(":")
        if not sep or not key.strip():
            raise field_error("metadata_pair", f"expected key:value, got {item!r}")
        pairs[key.strip()] = value
    return pairs

"""The token a v2 Scheduler client presents: Python sends `Bearer <token>`, Node v6 sends
`Basic base64("<token>:")`. Both name the same token; anything else presents none."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request
from sqlalchemy.orm import Session

from slotwise.edge.request import is_admin_key
from slotwise.pages.access import PageCaller, identify


def presented_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    if not value:
        return None
    if scheme.lower() == "bearer":
        return value
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, _password = decoded.partition(":")
        return user or None
    return None


def page_caller(request: Request, session: Session) -> PageCaller:
    token = presented_token(request)
    return identify(session, token, is_admin=bool(token) and is_admin_key(request, session, token))

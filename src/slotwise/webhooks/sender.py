"""One webhook attempt on the wire: the envelope, its signature, the POST."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from slotwise import outbound
from slotwise.webhooks.triggers import truncated_trigger

MAX_PAYLOAD_BYTES = 1_048_576


@dataclass(frozen=True)
class Notification:
    id: str
    trigger: str
    source: str
    created_at: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class AttemptResult:
    success: bool
    started_ms: int
    duration_ms: int
    status_code: int | None = None
    response_body: str | None = None
    error: str | None = None


def bounded_request(
    method: str, url: str, *, timeout: float, max_bytes: int, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """One request whose answer is read for at most `timeout` seconds in all, and at most
    `max_bytes` of its body (the rest is never read).

    httpx's timeouts bound each network operation, not the whole exchange: an endpoint that
    trickles its body a byte at a time would otherwise hold the caller (a worker's lease, a
    create request) indefinitely, and a huge body would be read into memory whole. Raises
    httpx.TimeoutException when the deadline passes while the body is still arriving.
    """
    deadline = time.monotonic() + timeout
    body = bytearray()
    with (
        outbound.client(timeout=timeout) as client,  # the outbound address policy applies
        client.stream(method, url, **kwargs) as response,
    ):
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                break
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(f"no complete answer within {timeout:g} s")
    return response, bytes(body[: max_bytes + 1])


def sign(secret: str, body: bytes) -> str:
    """X-Nylas-Signature: lowercase hex HMAC-SHA256 of the exact bytes sent."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _truncate(obj: dict[str, Any]) -> dict[str, Any]:
    # Long strings (message bodies and the like) are what make a payload large.
    return {k: v for k, v in obj.items() if not (isinstance(v, str) and len(v) > 1024)}


def envelope(notification: Notification, attempt: int, application_id: str) -> bytes:
    """The CloudEvents-style body (reference §8.5), serialized once for signing and sending.

    A body over 1 MB is sent with the `.truncated` trigger variant and its long strings dropped
    when that variant is a published trigger type; otherwise it is sent whole.
    """
    trigger, obj = notification.trigger, notification.payload

    def render(trigger: str, obj: dict[str, Any]) -> bytes:
        body = {
            "specversion": "1.0",
            "type": trigger,
            "source": notification.source,
            "id": notification.id,
            "time": notification.created_at,
            "webhook_delivery_attempt": attempt,
            "data": {"application_id": application_id, "object": obj},
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    raw = render(trigger, obj)
    variant = truncated_trigger(trigger)
    if len(raw) > MAX_PAYLOAD_BYTES and variant is not None:
        raw = render(variant, _truncate(obj))
    return raw


def post(
    url: str,
    secret: str,
    notification: Notification,
    attempt: int,
    *,
    application_id: str,
    compressed: bool,
    timeout: float,
    body_limit: int,
) -> AttemptResult:
    body = envelope(notification, attempt, application_id)
    headers = {"Content-Type": "application/json", "User-Agent": "Slotwise-Webhooks/1"}
    if compressed:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    headers["X-Nylas-Signature"] = sign(secret, body)
    started = int(time.time() * 1000)
    clock_start = time.monotonic()
    try:
        response, answer = bounded_request(
            "POST", url, timeout=timeout, max_bytes=body_limit, content=body, headers=headers
        )
    except httpx.HTTPError as exc:
        return AttemptResult(
            success=False,
            started_ms=started,
            duration_ms=int((time.monotonic() - clock_start) * 1000),
            error=f"{type(exc).__name__}: {exc}"[:body_limit],
        )
    return AttemptResult(
        success=200 <= response.status_code < 300,
        started_ms=started,
        duration_ms=int((time.monotonic() - clock_start) * 1000),
        status_code=response.status_code,
        response_body=answer.decode(response.encoding or "utf-8", "replace")[:body_limit],
        error=None if response.is_success else f"HTTP {response.status_code}",
    )

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

from slotwise import clock, outbound
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
    # The attempt could not even be built (a stored row no message can be made of): retrying
    # cannot help, so the delivery is failed at once.
    permanent: bool = False


def http_client(timeout: float, *, connections: int = 100) -> httpx.Client:
    """The one place an outbound webhook HTTP client is built (challenges and deliveries).

    A worker keeps one for all its attempts: its connection pool keeps connections to each
    destination alive between deliveries, where building a client per attempt cost ~47 ms of
    CPU (TLS context, pool) and a new TCP connection every time. Redirects are never followed:
    a delivery goes to the URL the operator registered, nowhere else. Every connection it
    opens goes through the outbound address policy (slotwise.outbound).
    """
    return httpx.Client(
        transport=outbound.CheckedTransport(connections=connections),
        trust_env=False,
        timeout=timeout,
        follow_redirects=False,
    )


def bounded_request(
    method: str,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    client: httpx.Client | None = None,
    **kwargs: Any,
) -> tuple[httpx.Response, bytes]:
    """One request whose answer is read for at most `timeout` seconds in all, and at most
    `max_bytes` of its body (the rest is never read). Uses `client` (kept by the caller) or a
    client of its own for this one request.

    httpx's timeouts bound each network operation, not the whole exchange: an endpoint that
    trickles its body a byte at a time would otherwise hold the caller (a worker's lease, a
    create request) indefinitely, and a huge body would be read into memory whole. Raises
    httpx.TimeoutException when the deadline passes while the body is still arriving.
    """
    if client is None:
        with http_client(timeout, connections=1) as own:
            return bounded_request(
                method, url, timeout=timeout, max_bytes=max_bytes, client=own, **kwargs
            )
    deadline = time.monotonic() + timeout
    body = bytearray()
    with client.stream(method, url, timeout=timeout, **kwargs) as response:
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


def signature_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """Both signatures of one attempt (docs/webhooks.md, "Signatures").

    X-Nylas-Signature signs the body alone, as Nylas does, so existing receivers keep working;
    but a captured delivery then verifies forever. X-Slotwise-Signature also signs the time of
    sending ("<timestamp>.<body>"), so a receiver can refuse a replay of an old delivery.
    """
    stamped = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return {
        "X-Nylas-Signature": sign(secret, body),
        "X-Slotwise-Timestamp": str(timestamp),
        "X-Slotwise-Signature": f"t={timestamp},v1={stamped}",
    }


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
    client: httpx.Client | None = None,
) -> AttemptResult:
    body = envelope(notification, attempt, application_id)
    headers = {"Content-Type": "application/json", "User-Agent": "Slotwise-Webhooks/1"}
    if compressed:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    started = clock.now_ms()
    headers.update(signature_headers(secret, body, started // 1000))
    clock_start = time.monotonic()
    try:
        response, answer = bounded_request(
            "POST",
            url,
            timeout=timeout,
            max_bytes=body_limit,
            client=client,
            content=body,
            headers=headers,
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

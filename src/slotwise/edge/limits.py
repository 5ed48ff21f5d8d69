"""Rate limits of the faces anyone can call, and of failed authentication (docs/security.md).

* Public routes (scheduling availability and bookings, the hosted pages, the v2 pages'
  `/schedule/{slug}/…`) are counted per client
  address and per configuration, reads and writes apart; a request made with a valid admin
  API key is the operator's backend and is not counted.
* Failed admin authentication is counted per client address and per presented key; once either
  is used up, every request from that address (or with that key) is answered 429 until the
  window ends, a valid key included, so that guessing learns nothing while blocked.

The client address is `request.client.host`: behind a proxy, uvicorn's forwarded-headers
settings make it the real client's (docs/security.md, "In production"). An IPv6 client is
counted by its /64 network (`address_key`).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress

from fastapi import Request
from sqlalchemy.orm import Session

from slotwise import ratelimit
from slotwise.edge.request import bearer_token, get_db, get_settings, hash_api_key, is_admin_key
from slotwise.errors import RateLimited
from slotwise.ids import decode_booking_ref
from slotwise.ratelimit import Limit


def client_address(request: Request) -> str:
    """Who the per-address limits count (and holds are kept for): see `address_key`."""
    return address_key(request.client.host) if request.client else "unknown"


@functools.lru_cache(maxsize=4096)
def address_key(host: str) -> str:
    """An IPv4 client by its address, an IPv6 client by its /64 network.

    One subscriber's IPv6 allocation is a /64 at least, and any address in it is theirs to
    use: counted address by address, a single guest could step past every per-address limit
    (a page's holds included) by changing the last 64 bits. An IPv4-mapped IPv6 address is
    the IPv4 address it carries; a host that is no IP address (a test client's name) is kept
    as given."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _configuration_key(request: Request) -> str | None:
    """What names the configuration a public request is about, as a bounded key."""
    params = request.path_params
    if "ref" in params:  # hosted manage / confirmation pages: the ref packs the configuration
        parts = decode_booking_ref(str(params["ref"]))
        return _digest(parts.configuration_id) if parts else None
    if "name" in params:  # hosted booking page: a slug or a configuration id
        return _digest(str(params["name"]))
    if "slug" in params:  # a v2 page's public routes
        return "page:" + _digest(str(params["slug"]))
    query = request.query_params
    named = query.get("configuration_id") or query.get("slug")
    if named:
        return _digest(named)
    token = bearer_token(request)
    return "session:" + _digest(token) if token else None


def _too_many(retry_after: int) -> RateLimited:
    return RateLimited(
        f"Too many requests: rate limit reached, retry after {retry_after} seconds", retry_after
    )


def _public(request: Request, kind: str, per_address: int, per_configuration: int) -> None:
    token = bearer_token(request)
    if token and is_admin_key(request, None, token):
        return
    limits = [Limit(f"public-{kind}:addr:{client_address(request)}", per_address)]
    configuration = _configuration_key(request)
    if configuration is not None:
        limits.append(Limit(f"public-{kind}:cfg:{configuration}", per_configuration))
    settings = get_settings(request)
    retry_after = ratelimit.hit(get_db(request), limits, settings.rate_limit_window_seconds)
    if retry_after is not None:
        raise _too_many(retry_after)


def public_reads(request: Request) -> None:
    """Dependency of the public routes that read (availability, a booking, a page load)."""
    settings = get_settings(request)
    _public(
        request,
        "read",
        settings.rate_limit_public_reads_per_address,
        settings.rate_limit_public_reads_per_configuration,
    )


def public_writes(request: Request) -> None:
    """Dependency of the public routes that write (book, reschedule, cancel, confirm)."""
    settings = get_settings(request)
    _public(
        request,
        "write",
        settings.rate_limit_public_writes_per_address,
        settings.rate_limit_public_writes_per_configuration,
    )


def public_method(request: Request) -> None:
    """public_reads for GET/HEAD, public_writes for every other method."""
    if request.method in {"GET", "HEAD"}:
        public_reads(request)
    else:
        public_writes(request)


def failed_auth_limits(request: Request, token: str) -> list[Limit]:
    settings = get_settings(request)
    return [
        Limit(
            f"failed-auth:addr:{client_address(request)}",
            settings.rate_limit_failed_auth_per_address,
        ),
        Limit(
            f"failed-auth:key:{hash_api_key(token)[:32]}", settings.rate_limit_failed_auth_per_key
        ),
    ]


def check_failed_auth(request: Request, token: str, session: Session | None = None) -> None:
    """429 while this address or this key has used up its failed attempts (read in
    `session`, when the request has one open)."""
    settings = get_settings(request)
    retry_after = ratelimit.blocked(
        get_db(request),
        failed_auth_limits(request, token),
        settings.rate_limit_window_seconds,
        session=session,
    )
    if retry_after is not None:
        raise _too_many(retry_after)


def count_failed_auth(request: Request, token: str) -> None:
    """Count a refused key; 429 (instead of the 401) once its limit is used up."""
    settings = get_settings(request)
    retry_after = ratelimit.hit(
        get_db(request), failed_auth_limits(request, token), settings.rate_limit_window_seconds
    )
    if retry_after is not None:
        raise _too_many(retry_after)


def connect_limit(request: Request) -> None:
    """Dependency of the anonymous hosted-auth routes (sign-in page, token, tokeninfo,
    revoke): per client address, so no one guesses codes or floods mail from one place."""
    settings = get_settings(request)
    limit = Limit(
        f"connect:addr:{client_address(request)}", settings.rate_limit_connect_per_address
    )
    retry_after = ratelimit.hit(get_db(request), [limit], settings.rate_limit_window_seconds)
    if retry_after is not None:
        raise _too_many(retry_after)


def connect_email_limit(request: Request, address: str) -> None:
    """Codes mailed to one address per window: the page must not become a mail cannon."""
    settings = get_settings(request)
    limit = Limit(f"connect:mail:{_digest(address.strip().lower())}", CODES_PER_ADDRESS)
    retry_after = ratelimit.hit(get_db(request), [limit], settings.rate_limit_window_seconds)
    if retry_after is not None:
        raise _too_many(retry_after)


# Emailed sign-in codes per address and rate-limit window.
CODES_PER_ADDRESS = 5

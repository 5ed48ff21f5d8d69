"""The configuration's logo, fetched by Slotwise and put into the page itself.

`appearance.company_logo_url` (a v2 page's `logo`) is a URL a client chose, so fetching it is a
server-side request forgery surface: it goes through slotwise.outbound like webhooks and feeds
(no loopback, private or metadata address unless the operator allowed it; every redirect hop
checked), capped at MAX_BYTES, with a short timeout. Only PNG, JPEG, GIF and WebP are kept, known
by their first bytes rather than by the Content-Type the other server claims; SVG is refused
(it can carry script). The page shows the image as a data: URL (CSP `img-src 'self' data:`),
so the guest's browser never contacts the logo's host. Results, failures included, are cached
per URL for CACHE_SECONDS (FAILED_SECONDS for a failure) so a page view costs no fetch.
"""

from __future__ import annotations

import base64
import threading

import httpx

from slotwise import clock, outbound

MAX_BYTES = 256 * 1024
TIMEOUT_SECONDS = 3.0
CACHE_SECONDS = 3600
FAILED_SECONDS = 300
MAX_CACHED = 256
MAX_URL = 2000

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

_cache: dict[str, tuple[int, str]] = {}  # url -> (expires at, data URL or "" for none)
_lock = threading.Lock()


def image_type(content: bytes) -> str | None:
    """The image type of `content` by its signature, or None for anything else."""
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fetch(url: str) -> str:
    try:
        with outbound.client(
            timeout=httpx.Timeout(TIMEOUT_SECONDS), headers={"User-Agent": "Slotwise"}
        ) as client:
            fetched = outbound.fetch(client, "GET", url, max_bytes=MAX_BYTES)
    except (httpx.HTTPError, httpx.InvalidURL, outbound.TooLarge):
        return ""
    kind = image_type(fetched.content) if fetched.status_code == 200 else None
    if kind is None:
        return ""
    return f"data:{kind};base64,{base64.b64encode(fetched.content).decode()}"


def logo_data_url(url: str) -> str:
    """The logo at `url` as a data: URL, or "" when there is none to show."""
    if not url.startswith(("http://", "https://")) or len(url) > MAX_URL:
        return ""
    now = clock.now()
    with _lock:
        cached = _cache.get(url)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = _fetch(url)
    with _lock:
        if len(_cache) >= MAX_CACHED:
            _cache.pop(next(iter(_cache)))
        _cache[url] = (now + (CACHE_SECONDS if found else FAILED_SECONDS), found)
    return found

"""URLs as they may be shown: in responses, error messages and logs.

A URL can carry a credential in its user-info (`https://user:pass@host/`) or in its query
(`feed.ics?token=…`). Which query parameters are secret cannot be known, so every query value
is replaced, the names kept so that the URL stays recognisable.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"


def redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(a malformed URL)"
    if ":" in host:  # an IPv6 literal loses its brackets in .hostname
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    if parts.username is not None or parts.password is not None:
        netloc = f"{REDACTED}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(name, REDACTED) for name, _ in pairs], safe=REDACTED)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))

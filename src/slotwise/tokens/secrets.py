"""One way to make and to digest every bearer secret of this package.

A token is 32 random bytes (URL-safe text) behind a short prefix that says what it is, so a
leaked one is recognisable in logs and secret scanners. Only `digest(token)` is stored; a
lookup by digest needs no constant-time compare, since the digest is not the secret.
"""

from __future__ import annotations

import hashlib
import secrets

ACCESS_TOKEN_PREFIX = "swat_"
EDIT_TOKEN_PREFIX = "swet_"


def new_secret(prefix: str, nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

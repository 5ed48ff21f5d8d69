"""The id_token signing keys: RS256, published at /.well-known/jwks.json, rotatable.

The newest key signs; every key not retired is published, so an id_token signed just before a
rotation still verifies. Rotating twice retires the oldest. Private keys are stored sealed
with the keyring, like every other secret (slotwise.keyring).
"""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.orm import Session

from slotwise import clock, keyring
from slotwise.db.models import SigningKey
from slotwise.ids import new_id
from slotwise.tokens import repository

ALGORITHM = "RS256"
# Published keys after a rotation: the new one and the one before it.
KEPT_KEYS = 2


def _new_key(session: Session) -> SigningKey:
    # created_at orders the keys (the newest signs): a rotation within the same second as the
    # key before it still comes after it.
    keys = repository.signing_keys(session)
    created = max([clock.now(), *(k.created_at + 1 for k in keys[:1])])
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = new_id()
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update(kid=kid, use="sig", alg=ALGORITHM)
    row = SigningKey(
        kid=kid, sealed_private_key=keyring.seal(pem), public_jwk=jwk, created_at=created
    )
    session.add(row)
    session.flush()
    return row


def rotate(session: Session) -> SigningKey:
    """A new signing key; keys older than the one it replaces are retired."""
    row = _new_key(session)
    now = clock.now()
    for old in repository.signing_keys(session)[KEPT_KEYS:]:
        old.retired_at = now
    session.flush()
    return row


def _current(session: Session) -> SigningKey:
    keys = repository.signing_keys(session)
    return keys[0] if keys else _new_key(session)


def sign(session: Session, claims: dict[str, Any]) -> str:
    key = _current(session)
    private = keyring.unseal(key.sealed_private_key)
    return jwt.encode(claims, private, algorithm=ALGORITHM, headers={"kid": key.kid})


def verify(session: Session, token: str, audience: str) -> dict[str, Any] | None:
    """The claims of an id_token this server signed for `audience`, not expired; else None."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None
    for key in repository.signing_keys(session):
        if key.kid == kid:
            public = RSAAlgorithm.from_jwk(key.public_jwk)
            try:
                claims: dict[str, Any] = jwt.decode(
                    token,
                    public,  # type: ignore[arg-type]
                    algorithms=[ALGORITHM],
                    audience=audience,
                    # Expiry is checked below against Slotwise's (injectable) clock.
                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
                )
            except jwt.PyJWTError:
                return None
            return claims if int(claims.get("exp", 0)) > clock.now() else None
    return None


def jwks(session: Session) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in repository.signing_keys(session)]}

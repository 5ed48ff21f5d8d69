"""The key that seals secrets Slotwise must read back (provider credentials, webhook secrets).

Sealing is Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) behind a MultiFernet, so
that several keys can be in force at once: the first one seals, every one of them opens. That
is what key rotation needs: put the new key first, run `slotwise secrets rotate` (which re-seals
every stored value with it), then drop the old one.

The keys come from `SLOTWISE_SECRET_KEY` (comma-separated, newest first). Without it, the
embedded default keeps one key in `<data dir>/secret.key`, made on first start, readable by its
owner only. Every process that shares a database must use the same keys.

The keyring is process-wide (like the provider policy): configured once at the edge of the
process (the app factory, the CLI), used by the services that seal and open.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """A sealed value could not be opened with any configured key (the keys do not match).

    An operator's misconfiguration, not a client's mistake: a face answers it as its generic
    500 and logs it; the message names the setting to fix.
    """


class Keyring:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except (ValueError, TypeError):
            raise ValueError(
                "SLOTWISE_SECRET_KEY: each key must be 32 url-safe base64-encoded bytes "
                "(make one with `slotwise secrets generate-key`)"
            ) from None
        self._multi = MultiFernet(self._fernets)

    def seal(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be opened with the configured SLOTWISE_SECRET_KEY"
            ) from None

    def reseal(self, token: str) -> str:
        """The same secret sealed with the newest key (what rotation does to each value)."""
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be opened with the configured SLOTWISE_SECRET_KEY"
            ) from None

    def is_newest(self, token: str) -> bool:
        """Whether `token` is already sealed with the first (newest) key."""
        try:
            self._fernets[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True


def generate_key() -> str:
    return Fernet.generate_key().decode()


def parse_keys(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def key_file_key(data_dir: Path) -> str:
    """The data directory's key, made (0600) on first use.

    Two processes starting at once on a new data directory must end up with the same key: the
    key is written to a private temporary file and linked into place, which fails for the
    loser, who then reads the winner's key.
    """
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = data_dir / f".{KEY_FILE}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(generate_key() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path.read_text().strip()


_current: Keyring | None = None


def configure(secret_key: str | None, data_dir: Path) -> Keyring:
    """Install the process's keyring: SLOTWISE_SECRET_KEY's keys, else the data-dir key file."""
    global _current
    keys = parse_keys(secret_key) or [key_file_key(data_dir)]
    _current = Keyring(keys)
    return _current


def current() -> Keyring:
    if _current is None:
        raise RuntimeError("the keyring is not configured (slotwise.keyring.configure)")
    return _current


def seal(plaintext: str) -> str:
    return current().seal(plaintext)


def unseal(token: str) -> str:
    return current().open(token)

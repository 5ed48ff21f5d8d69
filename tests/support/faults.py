"""Making a real database unavailable, and available again: a PostgreSQL database that
refuses connections, an SQLite data directory that turns read-only."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from slotwise.db.engine import normalize_url


def _admin(url: str):  # type: ignore[no-untyped-def]
    base = make_url(normalize_url(url))
    return base.database, create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")


def refuse_postgres(url: str) -> None:
    """Cut every connection to the database and refuse new ones."""
    name, admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()


def allow_postgres(url: str) -> None:
    name, admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()


class BrokenWritesDir:
    """A data directory whose writes can be made to fail, and then to work again.

    As root (whom file modes do not stop) it is a small tmpfs that is filled up (a full disk);
    otherwise the directory and its files lose and regain their write permission (a read-only
    data directory). Either way reads keep working and every write fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.mounted = os.geteuid() == 0
        if self.mounted:
            mount = ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(path)]
            subprocess.run(mount, check=True)
        self.filler = path / "filler"

    def _modes(self, writable: bool) -> None:
        for item in [self.path, *self.path.iterdir()]:
            mode = 0o755 if item.is_dir() else 0o644
            item.chmod(mode if writable else mode & ~0o222)

    def _fill(self) -> None:
        with self.filler.open("wb", buffering=0) as out:
            for size in (1 << 20, 4096, 512):
                chunk = b"\0" * size
                try:
                    while True:
                        out.write(chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise

    def break_writes(self) -> None:
        if self.mounted:
            self._fill()
        else:
            self._modes(False)

    def restore(self) -> None:
        if self.mounted:
            self.filler.unlink(missing_ok=True)
        else:
            self._modes(True)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)

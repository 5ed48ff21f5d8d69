"""What the benchmarks share: a real `slotwise serve` process, and an emptied PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from slotwise.db.engine import normalize_url

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key"


class Server:
    """A `slotwise serve` process on a free loopback port (no in-process worker)."""

    def __init__(self, database_url: str, data_dir: Path, *, wrapper: Sequence[str] = ()) -> None:
        """`wrapper` goes before the command (`valgrind --tool=callgrind ...`)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = dict(
            os.environ,
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_API_KEY=API_KEY,
            # Benchmarks serve their feeds and receivers on loopback, refused by default.
            SLOTWISE_OUTBOUND_ALLOW="127.0.0.0/8,::1",
            PYTHONPATH=str(ROOT / "src"),
            # Benchmarks send far more than a client may: limits high enough never to trip,
            # still counted, so their cost stays in what is measured.
            SLOTWISE_RATE_LIMIT_PUBLIC_READS_PER_ADDRESS="1000000000",
            SLOTWISE_RATE_LIMIT_PUBLIC_WRITES_PER_ADDRESS="1000000000",
            SLOTWISE_RATE_LIMIT_PUBLIC_READS_PER_CONFIGURATION="1000000000",
            SLOTWISE_RATE_LIMIT_PUBLIC_WRITES_PER_CONFIGURATION="1000000000",
        )
        self.process = subprocess.Popen(
            [
                *wrapper,
                sys.executable,
                "-m",
                "slotwise",
                "serve",
                "--port",
                str(self.port),
                "--no-worker",
            ]
            + ["--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.wrapped = bool(wrapper)
        # A shared, busy machine starts Python slowly (and under valgrind, very slowly).
        deadline = time.monotonic() + (600 if wrapper else 180)
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=120 if self.wrapped else 10)


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema (the benchmark databases are disposable)."""
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()

"""What the benchmarks share: a real `slotwise serve` process, and an emptied PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from slotwise.db.engine import normalize_url

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key"


class Server:
    """A `slotwise serve` process on a free loopback port (no in-process worker)."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = dict(
            os.environ,
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_API_KEY=API_KEY,
            PYTHONPATH=str(ROOT / "src"),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slotwise", "serve", "--port", str(self.port), "--no-worker"]
            + ["--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 180  # a shared, busy machine starts Python slowly
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema (the benchmark databases are disposable)."""
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()

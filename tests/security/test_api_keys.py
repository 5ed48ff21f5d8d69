"""Stored admin API keys: listed and revoked from the CLI; a revoked key is refused at once by
every server process (no process remembers a key as valid)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from slotwise.cli import create_api_key
from slotwise.db.engine import Database
from tests.conftest import API_KEY
from tests.support.processes import ServerProcess
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]


def _cli(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        SLOTWISE_DATABASE_URL=database_url,
        SLOTWISE_DATA_DIR=str(data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "slotwise", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_revoked_key_stops_working_at_once_in_every_process(
    server: LiveServer, db: Database, database_url: str, tmp_path: Path
) -> None:
    key = create_api_key(db, name="backend")
    kept = create_api_key(db, name="other")
    listed = _cli(database_url, tmp_path, "api-key", "list")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[-1]: line.split()[0] for line in listed.stdout.splitlines()}
    assert set(lines) == {"backend", "other"}
    assert key not in listed.stdout and kept not in listed.stdout  # only ids, never keys

    processes = [ServerProcess(database_url, API_KEY, tmp_path) for _ in range(2)]
    try:
        urls = [p.wait_ready().url for p in processes] + [server.url]

        def status(url: str, token: str) -> int:
            auth = {"Authorization": f"Bearer {token}"}
            return httpx.get(url + "/v3/grants", headers=auth, timeout=HTTP_TIMEOUT).status_code

        # Every process has seen the key valid (the old code cached it for a minute).
        assert [status(url, key) for url in urls] == [200, 200, 200]
        revoked = _cli(database_url, tmp_path, "api-key", "revoke", lines["backend"])
        assert revoked.returncode == 0, revoked.stderr
        assert [status(url, key) for url in urls] == [401, 401, 401]
        assert [status(url, kept) for url in urls] == [200, 200, 200]
    finally:
        for p in processes:
            p.stop()
    again = _cli(database_url, tmp_path, "api-key", "revoke", lines["backend"])
    assert again.returncode == 1
    assert "No API key" in again.stderr

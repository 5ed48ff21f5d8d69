"""The real command line, run as subprocesses on SQLite in a temporary data directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port
from tests.support.waiting import DEADLINE, HTTP_TIMEOUT, wait_until

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]
KEY = re.compile(r"(sw_[A-Za-z0-9_-]{20,})")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slotwise", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=True,
    )


@pytest.fixture
def start(tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def _start(*args: str) -> tuple[str, str]:
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "slotwise",
                *args,
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_env(),
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        output = ""
        assert proc.stdout is not None
        # The server prints its ready line once it listens; each read waits for a line or
        # for the process to end.
        while "Slotwise ready on" not in output:
            line = proc.stdout.readline()
            output += line
            if not line and proc.poll() is not None:
                pytest.fail(f"server exited: {output}")

        def answering() -> bool:
            try:
                return httpx.get(url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answering, f"the server to answer ({output})", interval=0.1)
        return url, output

    yield _start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_serve_prints_a_first_key_once_and_api_key_create_works(
    start: object, tmp_path: Path
) -> None:
    url, output = start("serve", "--no-worker")  # type: ignore[operator]
    found = KEY.search(output)
    assert found, output
    key = found.group(1)
    ok = httpx.get(
        url + "/v3/grants", headers={"Authorization": f"Bearer {key}"}, timeout=HTTP_TIMEOUT
    )
    assert ok.status_code == 200 and ok.json()["data"] == []
    wrong = httpx.get(
        url + "/v3/grants", headers={"Authorization": "Bearer nope"}, timeout=HTTP_TIMEOUT
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["type"] == "unauthorized"
    assert wrong.headers["x-request-id"] == wrong.json()["request_id"]

    created = _run("api-key", "create", "--data-dir", str(tmp_path / "data")).stdout.strip()
    assert KEY.fullmatch(created)
    assert created != key
    again = httpx.get(
        url + "/v3/grants", headers={"Authorization": f"Bearer {created}"}, timeout=HTTP_TIMEOUT
    )
    assert again.status_code == 200


def test_second_serve_prints_no_new_key(start: object, tmp_path: Path) -> None:
    _run("migrate", "--data-dir", str(tmp_path / "data"))
    _run("api-key", "create", "--data-dir", str(tmp_path / "data"))
    _url, output = start("serve", "--no-worker")  # type: ignore[operator]
    assert not KEY.search(output), output


def test_demo_serves_a_demo_grant_with_events(start: object) -> None:
    url, output = start("demo")  # type: ignore[operator]
    found = KEY.search(output)
    assert found, output
    assert "curl" in output and "from nylas import Client" in output
    assert f"Book a meeting: {url}/book/demo" in output
    page = httpx.get(f"{url}/book/demo", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200 and "Meeting with the demo user" in page.text
    from nylas import Client

    client = Client(api_key=found.group(1), api_uri=url)
    grant = client.grants.find("demo@slotwise.local").data
    now = int(time.time())
    events = client.events.list(
        grant.id, {"calendar_id": "primary", "start": now - 8 * 86_400, "end": now + 8 * 86_400}
    ).data
    titles = {e.title for e in events}
    assert "Daily standup" in titles
    assert any(e.master_event_id for e in events)

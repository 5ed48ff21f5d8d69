"""Real `slotwise serve` processes over one database, for cross-process tests and benches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import LOOPBACK
from tests.support.server import free_port
from tests.support.waiting import DEADLINE, wait_until

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    def __init__(
        self,
        database_url: str,
        api_key: str,
        data_dir: Path,
        env: dict[str, str] | None = None,
        stdout: Path | None = None,
        *,
        args: tuple[str, ...] = ("--no-worker",),
        output: Path | None = None,
    ) -> None:
        """`stdout`: a file for the process's stdout; `output`: one for stdout and stderr."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ)
        environment.update(
            SLOTWISE_DATABASE_URL=database_url,
            SLOTWISE_API_KEY=api_key,
            SLOTWISE_DATA_DIR=str(data_dir),
            SLOTWISE_RUN_WORKER="false",
            SLOTWISE_OUTBOUND_ALLOW=",".join(LOOPBACK),  # test receivers are on loopback
            PYTHONPATH=str(ROOT / "src") + os.pathsep + environment.get("PYTHONPATH", ""),
        )
        environment.update(env or {})
        self.output = output
        sink = output.open("ab") if output is not None else None
        out = sink or (stdout.open("wb") if stdout is not None else None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slotwise", "serve", *args, "--port", str(self.port)],
            env=environment,
            stdout=out or subprocess.DEVNULL,
            stderr=sink or subprocess.PIPE,
        )
        if sink is not None:
            sink.close()  # the child holds its own copy

    def wait_ready(self, timeout: float = DEADLINE) -> ServerProcess:
        def answering() -> bool:
            if self.process.poll() is not None:
                if self.output is not None:
                    err = self.output.read_text(errors="replace")
                else:
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"slotwise serve exited: {err[-2000:]}")
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answering, "slotwise serve to answer", timeout=timeout, interval=0.1)
        return self

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()

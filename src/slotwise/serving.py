"""Running the API under uvicorn: a ready line once the socket serves, a bounded shutdown,
and the shared metrics directory of `--workers N`.

The ready line is printed when requests are answered, not before: with one process once
uvicorn has bound (after the app's start-up), with several once every worker has reported
its start-up finished to the supervisor.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from slotwise.logs import logging_config

log = logging.getLogger("slotwise.serve")

# In-flight requests get this long after SIGTERM; then uvicorn cancels what is left. Kept
# under the 5 s an orchestrator commonly allows, with room for the lifespan shutdown.
GRACEFUL_SHUTDOWN_SECONDS = 3
# How long the supervisor waits for each worker's start-up before printing the ready line.
WORKER_START_SECONDS = 60.0


def ready_line(url: str, workers: int) -> str:
    processes = f"{workers} workers" if workers > 1 else f"pid {os.getpid()}"
    return f"Slotwise ready on {url} ({processes})"


def _announce(line: str) -> None:
    print(line, flush=True)
    log.info(line)


class _Server(uvicorn.Server):
    """One process: announce once bound and serving."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            _announce(ready_line(self.url, 1))


class _Supervisor(Multiprocess):
    """Several processes: announce once every worker has finished its start-up."""

    def __init__(self, config: uvicorn.Config, sockets: list[Any], url: str) -> None:
        super().__init__(config, sockets)
        self.url = url

    def init_processes(self) -> None:
        super().init_processes()
        if all(p.wait_until_ready(WORKER_START_SECONDS, self.should_exit) for p in self.processes):
            _announce(ready_line(self.url, len(self.processes)))


def _metrics_dir(workers: int) -> Path | None:
    """Workers write their counters here so /metrics can add them up (prometheus-client's
    multiprocess mode); must be set before any worker imports the metrics."""
    if workers <= 1:
        return None
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        # Files of a previous run would be added to this one's counts.
        for stale in path.glob("*.db"):
            stale.unlink()
        path.mkdir(parents=True, exist_ok=True)
        return None  # the operator's directory: left in place
    path = Path(tempfile.mkdtemp(prefix="slotwise-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def run(
    *,
    host: str,
    port: int,
    workers: int,
    log_format: str,
    forwarded_allow_ips: str,
) -> None:
    url = f"http://{host}:{port}"
    own_dir = _metrics_dir(workers)
    config = uvicorn.Config(
        "slotwise.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(log_format),
        access_log=False,  # the request log (slotwise.request) replaces it
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    try:
        if workers > 1:
            sock = config.bind_socket()
            _Supervisor(config, [sock], url).run()
        else:
            _Server(config, url).run()  # exits with uvicorn's code if start-up fails
    finally:
        if own_dir is not None:
            shutil.rmtree(own_dir, ignore_errors=True)

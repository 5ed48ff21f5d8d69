"""What `POST /v3/calendars/availability` costs beyond the engine, counted in instructions.

The 50-person, 31-day max-availability case of bench/availability.py (busy time stored as
events and read by the request; 2,000 slots answered). Two processes run under callgrind with
instrumentation off until the measured part: a `slotwise serve` process answering K identical
requests from a client outside it, and a process calling `compute_availability` K times on
the same input. Instruction counts repeat within a few per cent on a loaded machine, where CPU
time varies by a fifth; the cost is total instructions divided by K. Prints the request's
instructions, the engine's, the rest ("beyond") and their ratio, for SQLite (and PostgreSQL
when SLOTWISE_BENCH_DATABASE_URL is set). Needs valgrind; takes a few minutes.

    python bench/request_cost.py [--requests 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from availability_engine import make_workload
from serverproc import ROOT, Server, reset_postgres

from availability import AvailabilityPoster, request_body, store_workload

PEOPLE, DAYS, METHOD = 50, 31, "max-availability"
CALLGRIND = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]

# The engine's process: warmed up like the server, then told when to run its K calls. Its
# input, rules and collector are the served engine's: busy time in start order, as the
# database reads it, the rules as the endpoint parses them from the request's body, and a
# served process's collector settings (before 2026-12-04 it ran on shuffled busy lists under
# the default collector, some 10% more instructions than the same work served; before
# 2026-12-06 with start times rounded in UTC, where the served request rounds them in its
# first open-hours zone, 2% fewer).
ENGINE = """
import sys
from availability import request_body, served_rules
from availability_engine import as_served, make_workload
from slotwise.app import settle_heap
from slotwise.availability import compute_availability
workload = make_workload({people}, {days})
work = as_served(workload)
rules = served_rules(request_body(workload, {method!r}))
settle_heap()
def run():
    compute_availability(work.participants, work.window_start, work.window_end, rules)
for _ in range(3):
    run()
print("ready", flush=True)
sys.stdin.readline()
for _ in range({calls}):
    run()
print("done", flush=True)
sys.stdin.readline()
"""


def _control(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def _measured(pid: int, out: Path, run: Callable[[], None]) -> int:
    """Instructions of `run()` in process `pid`: zeroed before, dumped after, read back."""
    _control(pid, "--instr=on")
    _control(pid, "--zero")
    run()
    before = set(out.parent.glob(out.name + "*"))
    _control(pid, "--dump")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for dump in set(out.parent.glob(out.name + "*")) - before:
            text = dump.read_text() if dump.stat().st_size else ""
            for line in text.splitlines():
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.2)
    raise SystemExit("callgrind wrote no dump")


def engine_instructions(calls: int, tmp: Path) -> float:
    out = tmp / "engine.cg"
    code = ENGINE.format(people=PEOPLE, days=DAYS, method=METHOD, calls=calls)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]))
    with subprocess.Popen(
        [*CALLGRIND, f"--callgrind-out-file={out}", f"--log-file={tmp}/engine.vg"]
        + [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        if stdout.readline().strip() != "ready":
            raise SystemExit("the engine's process did not start")

        def run() -> None:
            stdin.write("\n")
            stdin.flush()
            stdout.readline()

        total = _measured(proc.pid, out, run)
        stdin.write("\n")
        stdin.flush()
    return total / calls


def request_instructions(url: str, requests: int, tmp: Path) -> float:
    work = make_workload(PEOPLE, DAYS)
    store_workload(url, work)
    out = tmp / f"serve-{len(list(tmp.iterdir()))}.cg"
    wrapper = [*CALLGRIND, f"--callgrind-out-file={out}", f"--log-file={out}.vg"]
    server = Server(url, tmp, wrapper=wrapper)
    poster = AvailabilityPoster(server.port, request_body(work, METHOD), timeout=600)

    def run() -> None:
        for _ in range(requests):
            poster.post()

    try:
        for _ in range(3):  # warm: first-use imports, statement caches, zone caches
            poster.post()
        total = _measured(server.process.pid, out, run)
    finally:
        poster.close()
        server.stop()
    return total / requests


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="measured requests (K)")
    args = parser.parse_args(argv)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        engine = engine_instructions(args.requests, tmp)
        print(f"{PEOPLE} people x {DAYS} days, {METHOD}: engine {engine / 1e6:.1f} M instructions")
        print(f"{'store':<11} {'request M':>10} {'beyond M':>9} {'request/engine':>15}")
        stores = [("sqlite", f"sqlite:///{tmp}/request-cost.db")]
        stores += [("postgresql", pg)] if pg else []
        for name, url in stores:
            if name == "postgresql":
                reset_postgres(url)
            request = request_instructions(url, args.requests, tmp)
            print(
                f"{name:<11} {request / 1e6:>10.1f} {(request - engine) / 1e6:>9.1f}"
                f" {request / engine:>15.2f}"
            )


if __name__ == "__main__":
    main()

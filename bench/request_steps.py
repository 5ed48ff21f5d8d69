"""What each step of `POST /v3/calendars/availability` costs, counted in instructions.

`request_cost.py` counts the whole served request against the engine; this splits the request
into the steps of its endpoint (`api.routers.v3.availability._availability`), for the same
50-person, 31-day max-availability case: one process, under callgrind with instrumentation off
until the measured part, builds the app on a seeded database, runs every step once to get the
next step's input, then runs each step alone K times and is counted for those calls only.
Each step's count includes freeing what its previous call made (as the request frees it). What
the served request counts beyond the steps' sum is the ASGI stack, the worker thread's hop
and the response's write. Prints instructions per call for SQLite (and PostgreSQL when
SLOTWISE_BENCH_DATABASE_URL is set). Needs valgrind; takes a minute or two per store.

    python bench/request_steps.py [--calls 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from availability_engine import make_workload
from request_cost import CALLGRIND, DAYS, METHOD, PEOPLE, _measured
from serverproc import API_KEY, ROOT, reset_postgres

from availability import request_body, store_workload


def steps(database_url: str, data_dir: str) -> list[tuple[str, Callable[[], object]]]:
    """The endpoint's steps in its order, each a call on the previous steps' results (the
    child process's side)."""
    os.environ.update(
        SLOTWISE_DATABASE_URL=database_url, SLOTWISE_API_KEY=API_KEY, SLOTWISE_DATA_DIR=data_dir
    )
    from starlette.requests import Request

    from slotwise.api.deps import check_api_key, parse_json_object
    from slotwise.api.envelope import ok_slots
    from slotwise.app import create_app
    from slotwise.availability import compute_availability
    from slotwise.availability_api import sources, v3, wire
    from slotwise.availability_api.schemas import CalendarAvailabilityRequest
    from slotwise.validation import validate_model

    app = create_app()
    db = app.state.db
    raw = json.dumps(request_body(make_workload(PEOPLE, DAYS), METHOD)).encode()
    headers = [(b"authorization", f"Bearer {API_KEY}".encode())]
    state = {"request_id": "0" * 32}
    request = Request({"type": "http", "app": app, "headers": headers, "state": state})
    session = db.session(write=False).__enter__()  # the read session the later steps share
    body = parse_json_object(request, raw)
    asked = validate_model(CalendarAvailabilityRequest, body)
    grants, calendars = v3.calendars_of(session, asked)
    window = (asked.start_time, asked.end_time)
    busy = sources.busy_by_email(session, grants, calendars, *window)
    participants = v3.participants_of(session, asked, grants, busy)
    rules = asked.rules()
    result = compute_availability(participants, *window, rules)
    data = wire.v3_availability(result)

    def key_check() -> None:
        with db.session(write=False) as own:
            check_api_key(request, own)

    return [
        ("read session and API-key check", key_check),
        ("parse the body", lambda: parse_json_object(request, raw)),
        ("validate it", lambda: validate_model(CalendarAvailabilityRequest, body)),
        ("grants and calendars", lambda: v3.calendars_of(session, asked)),
        ("busy read", lambda: sources.busy_by_email(session, grants, calendars, *window)),
        ("participants", lambda: v3.participants_of(session, asked, grants, busy)),
        ("engine", lambda: compute_availability(participants, *window, rules)),
        ("answer's dicts", lambda: wire.v3_availability(result)),
        ("render (orjson)", lambda: ok_slots(request, data)),
    ]


def child(database_url: str, data_dir: str, calls: int) -> None:
    from slotwise.app import settle_heap

    named = steps(database_url, data_dir)
    for _, step in named:
        for _ in range(3):  # warm: statement caches, zone caches, specialised bytecode
            step()
    settle_heap()  # the served process's collector settings
    for name, step in named:
        print(name, flush=True)
        sys.stdin.readline()
        for _ in range(calls):
            step()
        print("done", flush=True)
        sys.stdin.readline()


def measure(database_url: str, calls: int, tmp: Path) -> list[tuple[str, float]]:
    out = tmp / f"steps-{len(list(tmp.iterdir()))}.cg"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]))
    command = [sys.executable, __file__, "--child", database_url, str(tmp), str(calls)]
    wrapper = [*CALLGRIND, f"--callgrind-out-file={out}", f"--log-file={out}.vg"]
    counted: list[tuple[str, float]] = []
    with subprocess.Popen(
        wrapper + command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        while name := stdout.readline().strip():

            def run() -> None:
                stdin.write("\n")
                stdin.flush()
                if stdout.readline().strip() != "done":
                    raise SystemExit(f"step {name!r} did not finish")

            counted.append((name, _measured(proc.pid, out, run) / calls))
            stdin.write("\n")
            stdin.flush()
    if proc.returncode:
        raise SystemExit(f"the steps' process failed ({proc.returncode})")
    return counted


def report(store: str, counted: Sequence[tuple[str, float]]) -> None:
    engine = dict(counted)["engine"]
    total = sum(n for _, n in counted)
    print(f"\n{store}: {PEOPLE} people x {DAYS} days, {METHOD}, M instructions per call")
    for name, n in counted:
        print(f"  {name:<32} {n / 1e6:>7.2f}")
    print(f"  {'steps beyond the engine':<32} {(total - engine) / 1e6:>7.2f}")
    print(f"  {'all steps / engine':<32} {total / engine:>7.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=10, help="measured calls per step (K)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        url, data_dir, calls = args.child
        child(url, data_dir, int(calls))
        return
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        stores = [("sqlite", f"sqlite:///{tmp}/request-steps.db")]
        stores += [("postgresql", pg)] if pg else []
        for store, url in stores:
            if store == "postgresql":
                reset_postgres(url)
            store_workload(url, make_workload(PEOPLE, DAYS))
            report(store, measure(url, args.calls, tmp))


if __name__ == "__main__":
    main()

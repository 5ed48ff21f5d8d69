"""Drive the v2 Python SDK (nylas 5.x) against a live Slotwise; run in its own process.

Usage: PYTHONPATH=<folder holding nylas 5.x> python sdk_v2_driver.py <api-url> <api-key>
with a JSON list of calls on stdin, each {"call": <APIClient method>, "kwargs": {...}}.
Keyword values are turned into what a program would pass: "start_at"/"end_at" ISO strings
into datetimes, {"minutes": n} durations into timedeltas, and each "open_hours" entry into
the SDK's own `client.open_hours(...)` dict. Prints one JSON line: per call, {"result": ...}
or {"error": <status>, "body": <text>}.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from typing import Any

from nylas import APIClient  # the v2 SDK: this process has it first on its path
from nylas.client.errors import NylasApiError


def _kwargs(client: Any, raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    for name in ("start_at", "end_at"):
        if isinstance(out.get(name), str):
            out[name] = datetime.fromisoformat(out[name])
    for name in ("duration", "interval"):
        if isinstance(out.get(name), dict):
            out[name] = timedelta(minutes=out[name]["minutes"])
    if out.get("open_hours") is not None:
        out["open_hours"] = [client.open_hours(**rule) for rule in out["open_hours"]]
    return out


def main() -> None:
    api_url, api_key = sys.argv[1], sys.argv[2]
    # The SDK's constructor only takes https:// servers; the test server speaks plain HTTP on
    # loopback, so the address is set once the client exists (every call reads it from there).
    client = APIClient("slotwise-app", "slotwise-secret", access_token=api_key)
    client.api_server = api_url
    results: list[dict[str, Any]] = []
    for call in json.load(sys.stdin):
        method = getattr(client, call["call"])
        try:
            results.append({"result": method(**_kwargs(client, call["kwargs"]))})
        except NylasApiError as exc:
            results.append(
                {"error": exc.response.status_code, "body": exc.response.text, "message": str(exc)}
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()

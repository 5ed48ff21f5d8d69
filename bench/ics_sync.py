"""Mirroring a large iCalendar feed: connect, then re-sync the unchanged feed.

A loopback HTTP server serves a feed of N one-hour events (one per UID, no ETag or
Last-Modified, so every re-sync downloads the whole feed). A `slotwise serve` process over a
fresh SQLite file connects it with `POST /v3/connect/custom` (which mirrors the feed inside the
request); then the unchanged feed is re-synced in process with `sync_now`. Prints both wall
times and the number of mirrored events.

    PYTHONPATH=src python bench/ics_sync.py [--events 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from serverproc import API_KEY, Server
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import Event
from slotwise.providers.sync import sync_now


def make_feed(count: int) -> bytes:
    start = int(time.time()) // 3600 * 3600 + 86400
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//EN"]
    for i in range(count):
        t = start + i * 7200
        at = datetime.fromtimestamp(t, UTC).strftime("%Y%m%dT%H%M%SZ")
        end = datetime.fromtimestamp(t + 3600, UTC).strftime("%Y%m%dT%H%M%SZ")
        lines += ["BEGIN:VEVENT", f"UID:bench-{i}", f"DTSTAMP:{at}", f"DTSTART:{at}"]
        lines += [f"DTEND:{end}", f"SUMMARY:Event {i}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve_feed(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/feed.ics"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10000)
    args = parser.parse_args()
    feed, feed_url = serve_feed(make_feed(args.events))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        server = Server(url, Path(tmp))
        try:
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=600
            ) as api:
                began = time.perf_counter()
                response = api.post(
                    "/v3/connect/custom",
                    json={
                        "provider": "ics",
                        "settings": {"email": "f@example.com", "url": feed_url},
                    },
                )
                connect_s = time.perf_counter() - began
                assert response.status_code == 200, response.text
                grant_id = response.json()["data"]["id"]
                calendar_id = api.get(f"/v3/grants/{grant_id}/calendars").json()["data"][0]["id"]
        finally:
            server.stop()
        db = Database(url)
        began = time.perf_counter()
        sync_now(db, calendar_id)
        resync_s = time.perf_counter() - began
        with db.session(write=False) as session:
            stored = session.scalar(select(func.count()).select_from(Event))
        db.dispose()
    feed.shutdown()
    print(f"events={args.events} stored={stored}")
    print(f"connect (POST /v3/connect/custom): {connect_s:.2f} s")
    print(f"unchanged re-sync (no ETag):       {resync_s:.2f} s")


if __name__ == "__main__":
    main()

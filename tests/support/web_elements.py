"""The official scheduling web component, unpacked once into .cache/, and a page to load it.

`npm install @nylas/web-elements@2.6.0` fails (a dependency version the registry lacks), but the
package's browser bundle needs nothing else: `npm pack` it and unpack the tarball.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM
from tests.support.tools import CACHE, missing, require_executable
from tests.support.waiting import BROWSER_TIMEOUT_MS, DEADLINE, SERVE_POLL

SPEC = "@nylas/web-elements@2.6.0"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Book a meeting</title>
<script type="module" src="/nylas/nylas-web-elements.esm.js"></script>
</head><body>
<div id="mount"></div>
<script type="module">
  const q = new URLSearchParams(location.search);
  const el = document.createElement('nylas-scheduling');
  el.schedulerApiUrl = q.get('api');
  el.enableUserFeedback = false;
  el.nylasBranding = false;
  el.configurationId = q.get('config_id');
  el.addEventListener('nylasSchedulerError',
    e => console.error('scheduler error', JSON.stringify(e.detail)));
  el.addEventListener('bookedEventInfo', e => { window.booked = e.detail; });
  document.getElementById('mount').append(el);
</script>
</body></html>
"""


def web_elements_bundle() -> Path:
    """The folder holding nylas-web-elements.esm.js (the lazy-loading browser bundle)."""
    target = CACHE / "web-elements"
    bundle = target / "package" / "dist" / "nylas-web-elements"
    marker = target / ".unpacked"
    if marker.exists() and marker.read_text() == SPEC and bundle.is_dir():
        return bundle
    npm = require_executable("npm")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    result = subprocess.run(
        [npm, "pack", SPEC, "--pack-destination", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    tarballs = list(target.glob("*.tgz"))
    if result.returncode != 0 or not tarballs:
        missing(f"npm package {SPEC} ({result.stderr.strip()[-300:]})")
    with tarfile.open(tarballs[0]) as archive:
        archive.extractall(target, filter="data")
    if not (bundle / "nylas-web-elements.esm.js").exists():
        missing(f"the browser bundle inside {SPEC}")
    marker.write_text(SPEC)
    return bundle


def require_chromium() -> str:
    if not Path(CHROMIUM).exists():
        missing("Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("the playwright Python package")
    return CHROMIUM


@contextmanager
def page_server(bundle: Path, root: Path) -> Iterator[str]:
    """Serve the page and the bundle on their own loopback port (another origin than the API)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(PAGE)
    link = root / "nylas"
    if not link.exists():
        link.symlink_to(bundle, target_is_directory=True)
    with folder_server(root) as url:
        yield url


@contextmanager
def folder_server(root: Path) -> Iterator[str]:
    """Serve a folder's files on a loopback port of their own: an app's origin."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(SERVE_POLL,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- driving the component in a page -------------------------------------------------------


def wait_for(page: Any, predicate: Callable[[], object], what: str) -> None:
    """Poll `predicate` (e.g. a database read) while the page keeps running; fail after the
    shared deadline. The page's own wait keeps its event loop turning between polls."""
    for _ in range(int(DEADLINE * 4)):
        if predicate():
            return
        page.wait_for_timeout(250)
    pytest.fail(f"timed out waiting for {what}")


def open_reschedule(page: Any) -> None:
    """Click the confirmation's "Reschedule" until the date picker shows.

    The confirmation view can be rendered twice in a row (the component re-reads the booking
    after showing it), and a click that lands on the copy being replaced is lost: then the
    picker never opens. So the click is repeated while the button is still there and no date
    has appeared; the wait is on the picker itself."""
    reschedule = page.locator("button", has_text="Reschedule").first
    dates = page.locator("button.date.current-month:not([disabled])").first
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if reschedule.is_visible():
            reschedule.click()
        try:
            dates.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - not open yet: click again if the button is still there
            continue
    pytest.fail("the reschedule date picker never opened")


def pick_date_with_slots(page: Any, count: int = 1) -> Any:
    """Select the first date that shows at least `count` time slots; its slot buttons.

    Late in the (UTC) day today has few or no slots left, so no test may assume today's."""
    from playwright.sync_api import expect

    dates = page.locator("button.date.current-month:not([disabled])")
    dates.first.wait_for(timeout=BROWSER_TIMEOUT_MS)
    slots = page.locator("button.time")
    # What the time picker shows for a date once it has it: its slots, or "no time slots".
    shown = page.locator("nylas-timeslot-picker").locator("button.time, .empty")
    for i in range(dates.count()):
        date = dates.nth(i)
        date.click()
        # Wait for the picker to show this date, however long a loaded machine takes (the
        # deadline only catches a hang). A fixed wait here (it was 10 s) passed over a date
        # whose slots were merely slow to render, and the test then booked another day.
        expect(date).to_have_class(re.compile(r"\bselected\b"), timeout=BROWSER_TIMEOUT_MS)
        shown.first.wait_for(timeout=BROWSER_TIMEOUT_MS)
        if slots.count() >= count:
            return slots
    pytest.fail(f"the component showed no date with {count} bookable slots")


def pick_first_slot(page: Any) -> str:
    """Select the first date that shows time slots and click its first slot; its label."""
    slots = pick_date_with_slots(page)
    label = str(slots.first.inner_text().strip())
    slots.first.click()
    return label

"""The app's page embedding the official <nylas-scheduler-editor>, signed in to Slotwise by
hosted authentication (nylasSessionsConfig), on a loopback origin of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.web_elements import PAGE, folder_server

EDITOR = """<!doctype html>
<html><head><meta charset="utf-8"><title>Scheduling settings</title>
<script type="module" src="/nylas/nylas-web-elements.esm.js"></script>
</head><body>
<div id="mount"></div>
<script type="module">
  const config = JSON.parse(localStorage.getItem('slotwise-test') || '{}');
  const el = document.createElement('nylas-scheduler-editor');
  el.nylasSessionsConfig = {
    clientId: config.clientId,
    redirectUri: location.origin + '/editor.html',
    domain: config.domain,
    hosted: true,
    accessType: 'offline',
  };
  el.schedulerPreviewLink =
    location.origin + '/index.html?api=' + config.api + '&config_id={config.id}';
  el.defaultSchedulerConfig = {
    requires_session_auth: false,
    scheduler: {rescheduling_url: '', cancellation_url: ''},
  };
  el.addEventListener('nylasSchedulerEditorError',
    e => console.error('editor error', JSON.stringify(e.detail)));
  el.addEventListener('schedulerConfigChanged', e => { window.changed = e.detail; });
  document.getElementById('mount').append(el);
</script>
</body></html>
"""


@contextmanager
def editor_site(bundle: Path, root: Path) -> Iterator[str]:
    """Serve editor.html, the booking page (index.html) and the bundle from one origin."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "editor.html").write_text(EDITOR)
    (root / "index.html").write_text(PAGE)
    link = root / "nylas"
    if not link.exists():
        link.symlink_to(bundle, target_is_directory=True)
    with folder_server(root) as url:
        yield url

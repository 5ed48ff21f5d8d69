"""Secrets at rest: provider settings, webhook secrets and guests' booking salts sealed, session
tokens hashed, only allow-listed settings shown, URLs redacted, key rotation, private files, and
migrations that carry existing rows."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import create_engine, text

from slotwise import keyring
from slotwise.bookings.payloads import booking_ref
from slotwise.bookings.salts import guest_salt
from slotwise.config import Settings
from slotwise.db.engine import Database, normalize_url
from slotwise.db.migrate import alembic_config, upgrade
from slotwise.db.models import Booking
from slotwise.ids import decode_booking_ref, encode_booking_ref, new_salt, new_uuid
from slotwise.operations.rotation import reseal_all
from slotwise.web.pages import booking_by_ref
from tests.support.databases import fresh_postgres_url
from tests.support.scheduling import book, future_hour
from tests.support.waiting import SERVE_POLL
from tests.webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-Pa55word"
PIN = "8642-pin-value"
FEED_TOKEN = "feedtoken-0123456789"
SEALED_SECRET = "SELECT sealed_secret FROM webhook_destinations"

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:one@example.com
DTSTAMP:20300101T000000Z
DTSTART:20300105T100000Z
DTEND:20300105T110000Z
SUMMARY:Busy
END:VEVENT
END:VCALENDAR
"""


def _raw_rows(db: Database, table: str) -> str:
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 (fixed names)
    return json.dumps([[str(value) for value in row] for row in rows])


@pytest.fixture
def feed() -> Iterator[str]:
    """An iCalendar feed that answers on any path (its URL carries a secret query)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            data = ICS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(SERVE_POLL,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/private/cal.ics"
    server.shutdown()
    server.server_close()


def test_provider_settings_are_sealed_and_only_the_allow_list_is_shown(
    api: httpx.Client, db: Database
) -> None:
    settings = {
        "email": "ada@example.com",
        "name": "Ada",
        "timezone": "Europe/Paris",
        "password": PASSWORD,
        "pin": PIN,  # a credential by any other name
        "url": f"https://ada:{PASSWORD}@dav.example/cal/?access={PIN}",
    }
    created = api.post(
        "/v3/connect/custom", json={"provider": "virtual-calendar", "settings": settings}
    )
    assert created.status_code == 200, created.text
    grant_id = created.json()["data"]["id"]
    for response in (created, api.get(f"/v3/grants/{grant_id}"), api.get("/v3/grants")):
        assert PASSWORD not in response.text and PIN not in response.text
    shown = api.get(f"/v3/grants/{grant_id}").json()["data"]["settings"]
    assert shown == {
        "email": "ada@example.com",
        "name": "Ada",
        "timezone": "Europe/Paris",
        "url": "https://REDACTED@dav.example/cal/?access=REDACTED",
    }
    raw = _raw_rows(db, "grants")
    assert PASSWORD not in raw and PIN not in raw
    # An update merges into the sealed settings; nothing of it shows either.
    updated = api.patch(f"/v3/grants/{grant_id}", json={"settings": {"api_secret": PIN + "-2"}})
    assert updated.status_code == 200, updated.text
    assert PIN not in updated.text and PIN not in _raw_rows(db, "grants")
    with db.session(write=False) as session:
        from slotwise.db.models import Grant
        from slotwise.providers import credentials

        grant = session.get(Grant, grant_id)
        assert grant is not None
        assert credentials.of(grant) == {**settings, "api_secret": PIN + "-2"}


def test_a_feed_url_with_a_token_is_redacted_everywhere(
    api: httpx.Client, db: Database, feed: str
) -> None:
    url = f"{feed}?token={FEED_TOKEN}"
    connected = api.post(
        "/v3/connect/custom",
        json={"provider": "ics", "settings": {"email": "feed@example.com", "url": url}},
    )
    assert connected.status_code == 200, connected.text
    grant_id = connected.json()["data"]["id"]
    calendars = api.get(f"/v3/grants/{grant_id}/calendars")
    assert calendars.status_code == 200
    for response in (connected, calendars, api.get(f"/v3/grants/{grant_id}")):
        assert FEED_TOKEN not in response.text
    assert FEED_TOKEN not in _raw_rows(db, "grants")
    assert FEED_TOKEN not in _raw_rows(db, "provider_calendars")
    # The sealed URL still syncs: reading the events refreshes the mirror from the feed.
    events = api.get(f"/v3/grants/{grant_id}/events", params={"calendar_id": "primary"})
    assert events.status_code == 200, events.text
    # A feed that fails says why without the feed's secret (the URL is redacted where shown).
    broken = api.post(
        "/v3/connect/custom",
        json={
            "provider": "ics",
            "settings": {
                "email": "gone@example.com",
                "url": f"http://127.0.0.1:9/x?token={FEED_TOKEN}",
            },
        },
    )
    assert broken.status_code == 400
    assert FEED_TOKEN not in broken.text and "settings.url" in broken.text


def test_webhook_secret_is_sealed_and_shown_only_on_create_and_rotate(
    api: httpx.Client, db: Database
) -> None:
    receiver = Receiver().start()
    try:
        created = api.post(
            "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
        )
        assert created.status_code == 200, created.text
        data = created.json()["data"]
        secret = data["webhook_secret"]
        assert len(secret) >= 32
        assert secret not in _raw_rows(db, "webhook_destinations")
        assert "webhook_secret" not in api.get(f"/v3/webhooks/{data['id']}").json()["data"]
        rotated = api.post(f"/v3/webhooks/rotate-secret/{data['id']}")
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["data"]["webhook_secret"]
        assert new_secret != secret
        assert new_secret not in _raw_rows(db, "webhook_destinations")
    finally:
        receiver.stop()


def test_session_tokens_are_stored_hashed(api: httpx.Client, db: Database) -> None:
    from tests.support.scheduling import config_body, create_config, make_grant, participant

    grant_id, calendar_id = make_grant(db, "ada@example.com")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)], requires_session_auth=True
    )
    config = create_config(api, grant_id, body)
    token = api.post("/v3/scheduling/sessions", json={"configuration_id": config["id"]}).json()[
        "data"
    ]["session_id"]
    raw = _raw_rows(db, "scheduling_sessions")
    assert token not in raw
    assert hashlib.sha256(token.encode()).hexdigest() in raw
    opened = api.get("/v3/scheduling/ui-settings", headers={"Authorization": f"Bearer {token}"})
    assert opened.status_code == 200, opened.text


def test_the_guests_salt_is_sealed_and_its_ref_still_opens_the_booking(
    guest: httpx.Client, db: Database, make_config: Any
) -> None:
    config = make_config()
    booked = book(guest, config["id"], future_hour(2, 10))
    assert booked.status_code == 200, booked.text
    ref = booked.json()["data"]["booking_ref"]
    parts = decode_booking_ref(ref)
    assert parts is not None
    raw = _raw_rows(db, "bookings")
    assert parts.salt not in raw
    with db.engine.connect() as conn:
        sealed = conn.execute(text("SELECT sealed_salt FROM bookings")).scalar_one()
    assert keyring.unseal(sealed) == parts.salt
    # The manage page opens with the ref, and not with the same ids and another salt.
    assert guest.get(f"/bookings/{ref}").status_code == 200
    forged = encode_booking_ref(parts.configuration_id, parts.booking_id, new_salt())
    assert guest.get(f"/bookings/{forged}").status_code == 404


def test_rotation_reseals_everything_with_the_newest_key(
    api: httpx.Client, db: Database, base_settings: Settings, make_config: Any
) -> None:
    old = keyring.key_file_key(base_settings.data_dir)
    booked = book(api, make_config()["id"], future_hour(2, 10))
    assert booked.status_code == 200, booked.text
    created = api.post(
        "/v3/connect/custom",
        json={"provider": "virtual-calendar", "settings": {"email": "r@example.com", "pin": PIN}},
    )
    assert created.status_code == 200
    receiver = Receiver().start()
    try:
        hook = api.post(
            "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": receiver.url}
        )
        assert hook.status_code == 200, hook.text
        secret = hook.json()["data"]["webhook_secret"]
    finally:
        receiver.stop()
    new = keyring.generate_key()
    try:
        keyring.configure(f"{new},{old}", base_settings.data_dir)
        assert reseal_all(db) == 3  # the grant's settings, the webhook secret, the guest's salt
        assert reseal_all(db) == 0  # already sealed with the newest key
        keyring.configure(new, base_settings.data_dir)  # the old key dropped
        grant = api.get(f"/v3/grants/{created.json()['data']['id']}")
        assert grant.status_code == 200
        with db.session(write=False) as session:
            sealed = session.execute(
                text("SELECT sealed_secret FROM webhook_destinations")
            ).scalar_one()
        assert keyring.Keyring([new]).open(sealed) == secret
        with pytest.raises(keyring.SecretKeyError):
            keyring.Keyring([old]).open(sealed)
        ref = booked.json()["data"]["booking_ref"]
        assert api.get(f"/bookings/{ref}").status_code == 200
    finally:
        keyring.configure(base_settings.secret_key, base_settings.data_dir)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    clean.update(PYTHONPATH=str(ROOT / "src"), **env)
    return subprocess.run(
        [sys.executable, "-m", "slotwise", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
    )


@pytest.mark.process
def test_cli_makes_private_files_and_rotates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = _cli("migrate", "--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "slotwise.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "secret.key").stat().st_mode) == 0o600
    old = (data / "secret.key").read_text().strip()
    url = f"sqlite:///{data / 'slotwise.db'}"
    sealed = keyring.Keyring([old]).seal(json.dumps({"email": "x@example.com", "password": PIN}))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grants (id, provider, email, grant_status, scope, settings,"
                " sealed_settings, created_at, updated_at) VALUES ('g1', 'caldav',"
                " 'x@example.com', 'valid', '[]', '{}', :sealed, 0, 0)"
            ),
            {"sealed": sealed},
        )
    new = _cli("secrets", "generate-key").stdout.strip()
    rotated = _cli("secrets", "rotate", "--data-dir", str(data), SLOTWISE_SECRET_KEY=f"{new},{old}")
    assert rotated.returncode == 0, rotated.stderr
    assert "Re-sealed 1 " in rotated.stdout
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT sealed_settings FROM grants")).scalar_one()
    engine.dispose()
    assert json.loads(keyring.Keyring([new]).open(stored))["password"] == PIN
    wrong = _cli("secrets", "rotate", "--data-dir", str(data), SLOTWISE_SECRET_KEY="not-a-key")
    assert wrong.returncode != 0
    assert "SLOTWISE_SECRET_KEY" in wrong.stderr


@pytest.fixture
def older_schema(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database at the revisions before this one."""
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else fresh_postgres_url("old")
    config = alembic_config(url)
    for revision in ("0002_scheduling", "0003_webhooks", "0005_providers"):
        command.upgrade(config, revision)
    yield url


def test_the_migration_seals_existing_rows(older_schema: str) -> None:
    engine = create_engine(normalize_url(older_schema))
    settings = {"email": "old@example.com", "password": PASSWORD, "url": "https://u:p@h/x?k=v"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grants (id, provider, email, grant_status, scope, settings,"
                " created_at, updated_at) VALUES ('g1', 'caldav', 'old@example.com', 'valid',"
                " '[]', :settings, 0, 0)"
            ),
            {"settings": json.dumps(settings)},
        )
        conn.execute(
            text(
                "INSERT INTO webhook_destinations (id, trigger_types, webhook_url, status,"
                " notification_email_addresses, compressed_delivery, secret, status_updated_at,"
                " created_at, updated_at) VALUES ('w1', '[]', 'http://h/', 'active', '[]',"
                " false, :secret, 0, 0, 0)"
            ),
            {"secret": PIN},
        )
        conn.execute(
            text(
                "INSERT INTO calendars (id, grant_id, name, is_primary, read_only, metadata,"
                " created_at, updated_at) VALUES ('c1', 'g1', 'Old', true, false, '{}', 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO provider_calendars (calendar_id, grant_id, url, revision)"
                " VALUES ('c1', 'g1', :url, 0)"
            ),
            {"url": f"https://h/feed.ics?token={FEED_TOKEN}"},
        )
    upgrade(older_schema)
    with engine.connect() as conn:
        shown, sealed = conn.execute(text("SELECT settings, sealed_settings FROM grants")).one()
        sealed_secret = conn.execute(
            text("SELECT sealed_secret FROM webhook_destinations")
        ).scalar_one()
        sealed_url = conn.execute(text("SELECT sealed_url FROM provider_calendars")).scalar_one()
    engine.dispose()
    assert keyring.unseal(sealed_url) == f"https://h/feed.ics?token={FEED_TOKEN}"
    shown = json.loads(shown) if isinstance(shown, str) else shown
    assert shown == {"email": "old@example.com", "url": "https://REDACTED@h/x?k=REDACTED"}
    assert json.loads(keyring.unseal(sealed)) == settings
    assert keyring.unseal(sealed_secret) == PIN


@pytest.fixture
def schema_before_sealed_salts(backend: str, tmp_path: Path, worker_id: str) -> Iterator[str]:
    """A database at the revisions before 0014_sealed_salts (salts stored as they are)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:  # a name of its own: the other migration test may run at once on another worker
        url = fresh_postgres_url(f"oldsalts_{worker_id}")
    config = alembic_config(url)
    for revision in ("0006_secguest", "0008_secsecrets"):
        command.upgrade(config, revision)
    yield url


def test_the_salt_migration_seals_existing_salts_and_refs_keep_working(
    schema_before_sealed_salts: str,
) -> None:
    url = schema_before_sealed_salts
    config_id, booking_id, salt = new_uuid(), new_uuid(), new_salt()
    ref = encode_booking_ref(config_id, booking_id, salt)
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grants (id, provider, email, grant_status, scope, settings,"
                " created_at, updated_at) VALUES ('g1', 'virtual-calendar', 'old@example.com',"
                " 'valid', '[]', '{}', 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO configurations (id, grant_id, requires_session_auth, document,"
                " created_at, updated_at) VALUES (:id, 'g1', false, '{}', 0, 0)"
            ),
            {"id": config_id},
        )
        conn.execute(
            text(
                "INSERT INTO bookings (id, configuration_id, organizer_grant_id,"
                " organizer_calendar_id, organizer_email, hosts, status, salt, title, guest,"
                " additional_guests, additional_fields, email_language, start_ts, end_ts,"
                " created_at, updated_at) VALUES (:id, :config, 'g1', 'c1', 'old@example.com',"
                " '[]', 'booked', :salt, 'Old', '{}', '[]', '{}', 'en', 0, 1800, 0, 0)"
            ),
            {"id": booking_id, "config": config_id, "salt": salt},
        )
    engine.dispose()
    upgrade(url)
    db = Database(url)
    try:
        assert salt not in _raw_rows(db, "bookings")
        with db.session(write=False) as session:
            booking, _config = booking_by_ref(session, ref)
            assert booking.id == booking_id
            assert guest_salt(booking) == salt
            assert booking_ref(booking) == ref
            assert session.get(Booking, booking_id) is booking
    finally:
        db.engine.dispose()

"""The operator's command line: serve, migrate, api-key create (and more as faces grow)."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from slotwise import clock, keyring
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.migrate import upgrade
from slotwise.db.models import ApiKey
from slotwise.db.planning import refresh_statistics
from slotwise.ids import new_id
from slotwise.tokens import repository as token_repository

app = typer.Typer(help="Slotwise: self-hosted scheduling server.", no_args_is_help=True)
api_key_app = typer.Typer(help="Manage admin API keys.", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")
secrets_app = typer.Typer(help="Manage the key that seals stored secrets.", no_args_is_help=True)
app.add_typer(secrets_app, name="secrets")

LogFormat = Annotated[
    str,
    typer.Option(
        "--log-format",
        help="text (readable, the default) or json (one object per line).",
        envvar="SLOTWISE_LOG_FORMAT",
    ),
]


def _log_format(value: str) -> str:
    from slotwise.logs import FORMATS

    if value not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--log-format")
    return value


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the embedded SQLite database lives."),
]


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        # Exported so that uvicorn's worker processes (which build the app from the
        # environment) see the same choice.
        os.environ["SLOTWISE_DATA_DIR"] = str(data_dir)
    settings = Settings.from_env()
    if settings.database_url is None:
        private_data_dir(settings.data_dir)
    # Before any migration: sealing the secrets of an older schema needs the key.
    try:
        keyring.configure(settings.secret_key, settings.data_dir)
    except ValueError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    return settings


def private_data_dir(data_dir: Path) -> None:
    """The embedded data directory readable by its owner only (0700), and its database (0600).

    SQLite makes the database's -wal and -shm files with the database file's permissions.
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    database = data_dir / "slotwise.db"
    os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    database.chmod(0o600)


def _hash(key: str) -> str:
    from slotwise.edge.request import hash_api_key

    return hash_api_key(key)


def create_api_key(db: Database, name: str = "") -> str:
    key = "sw_" + secrets.token_urlsafe(32)
    with db.session() as session:
        key_row = ApiKey(id=new_id(), key_hash=_hash(key), name=name, created_at=clock.now())
        token_repository.add_api_key(session, key_row)
    return key


def ensure_first_api_key(settings: Settings, db: Database) -> str | None:
    """On a first start with no key anywhere, make one; it is shown once and never stored."""
    if settings.api_key:
        return None
    with db.session(write=False) as session:
        if token_repository.any_api_key(session):
            return None
    return create_api_key(db, name="first start")


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Create or upgrade the database schema."""
    settings = _settings(data_dir)
    url = settings.resolved_database_url
    upgrade(url)
    shown = make_url(url).render_as_string(hide_password=True)
    typer.echo(f"Schema is at the latest migration: {shown}")


@api_key_app.command("create")
def api_key_create(
    data_dir: DataDir = None,
    name: Annotated[str, typer.Option(help="A label to remember the key by.")] = "",
) -> None:
    """Print a new admin API key (only its hash is stored)."""
    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    typer.echo(create_api_key(db, name))
    db.dispose()


@api_key_app.command("list")
def api_key_list(data_dir: DataDir = None) -> None:
    """List the stored admin API keys: id, name, creation time (keys themselves are not kept)."""
    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    with db.session(write=False) as session:
        keys = token_repository.api_keys(session)
    db.dispose()
    if not keys:
        typer.echo("No stored API keys.")
    for key in keys:
        created = datetime.fromtimestamp(key.created_at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        typer.echo(f"{key.id}  {created}  {key.name}")


@api_key_app.command("revoke")
def api_key_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `api-key list` shows it.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke an admin API key: every server refuses it from its next request on."""
    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    with db.session() as session:
        deleted = token_repository.delete_api_key(session, key_id)
    db.dispose()
    if not deleted:
        typer.echo(f"No API key with id {key_id!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Revoked API key {key_id}.")


@secrets_app.command("generate-key")
def secrets_generate_key() -> None:
    """Print a new key for SLOTWISE_SECRET_KEY."""
    typer.echo(keyring.generate_key())


@secrets_app.command("rotate")
def secrets_rotate(data_dir: DataDir = None) -> None:
    """Re-seal every stored secret with the first key of SLOTWISE_SECRET_KEY."""
    from slotwise.operations.rotation import reseal_all

    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    changed = reseal_all(db)
    db.dispose()
    typer.echo(f"Re-sealed {changed} stored secret(s) with the newest key.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not run the in-process delivery worker.")
    ] = False,
    log_format: LogFormat = "text",
) -> None:
    """Apply migrations and serve the API."""
    from slotwise import logs, serving

    log_format = _log_format(log_format)
    logs.configure(log_format)
    settings = _settings(data_dir)
    if no_worker:
        os.environ["SLOTWISE_RUN_WORKER"] = "false"
    if "SLOTWISE_PUBLIC_URL" not in os.environ:
        os.environ["SLOTWISE_PUBLIC_URL"] = f"http://{host}:{port}"
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    refresh_statistics(db)  # before any server process opens its pool
    key = ensure_first_api_key(settings, db)
    db.dispose()
    if key:
        typer.echo(f"Created the first admin API key (shown only now): {key}")
    serving.run(
        host=host,
        port=port,
        workers=workers,
        log_format=log_format,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


@app.command()
def worker(data_dir: DataDir = None, log_format: LogFormat = "text") -> None:
    """Deliver webhooks, emails and reminders until stopped (SIGTERM or Ctrl-C stop cleanly)."""
    import signal
    import threading

    from slotwise import logs
    from slotwise.worker import Worker

    logs.configure(_log_format(log_format))
    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo("Slotwise worker running.")
    Worker(db, settings).run(stop)
    db.dispose()
    typer.echo("Slotwise worker stopped.")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
) -> None:
    """Serve with a demo grant, calendar and a week of events; print the URL and an API key."""
    from datetime import date

    from slotwise.demo import DEMO_EMAIL, seed_demo, seed_demo_page

    settings = _settings(data_dir)
    upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    with db.session() as session:
        grant = seed_demo(session, date.today())
        grant_id, slug = grant.id, seed_demo_page(session, grant).slug
    key = create_api_key(db, name="demo")
    db.dispose()
    url = f"http://{host}:{port}"
    typer.echo(
        f"""
Book a meeting: {url}/book/{slug}

Slotwise demo
  URL:      {url}
  API key:  {key}
  Grant:    {DEMO_EMAIL} ({grant_id})

Try it:
  curl -H "Authorization: Bearer {key}" \\
    "{url}/v3/grants/{DEMO_EMAIL}/events?calendar_id=primary"

Or with the official Python SDK (pip install nylas):
  from nylas import Client
  nylas = Client(api_key="{key}", api_uri="{url}")
  for event in nylas.events.list("{DEMO_EMAIL}", {{"calendar_id": "primary"}}).data:
      print(event.title, event.when)
"""
    )
    serve(host=host, port=port, data_dir=data_dir, workers=1, no_worker=False, log_format="text")

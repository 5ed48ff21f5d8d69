"""Scale benchmark: does a request cost the same in a big installation as in a small one?

Two databases per store, seeded deterministically (`--seed`):
  * small: the 50 "team" grants (96 events each over 660 days, 2 of them weekly series: 4,800);
  * big: the same 50 team grants with the same events, plus 5,000 other grants with 219 events
    each (3 weekly series: 15,000 series in all), a configuration each and 20 bookings each
    (100,000): 1.1 M events.
Grants and configurations are made by the services the API calls (`connect_custom`,
`create_configuration`); events are built by `events.service.build_event` (what
`POST /v3/grants/{g}/events` stores) and bookings with the fields `create_booking` writes, and
inserted in batches of thousands, so rows are what the server writes without its per-request
cost. PostgreSQL is ANALYZEd after the load (what autovacuum does on its own); SQLite is not
(nothing does that for an embedded installation).

One `slotwise serve --no-worker` process per database. Each round sends each request three
times to the small and to the big server in turn (which goes first alternates every round);
the round's ratio is big/small of the fastest of each side's three (on a shared machine the
fastest is what the request itself costs). Printed: the median ratio over the rounds and the
middle half of the rounds' ratios. Requests (all on the team's data, identical in both):
  * availability-50: POST /v3/calendars/availability, 50 participants, one week;
  * scheduler: GET /v3/scheduling/availability of a 3-host round-robin configuration, a week;
  * free-busy: POST /v3/grants/{g}/calendars/free-busy for 5 emails, a week;
  * booking: POST /v3/scheduling/bookings of the next free slot of a 1:1 configuration.

    python bench/scale.py [--stores sqlite,postgresql] [--rounds 20] [--tries 3] [--big-grants 5000]
    SLOTWISE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/slotwise_bench \\
        python bench/scale.py          # PostgreSQL uses <db>_small and <db>_big (reset!)

`--reuse` measures PostgreSQL databases seeded by an earlier run as they are (SQLite's live in
a temporary directory and are always seeded). Each run adds two configurations and a few
bookings to each side, the same on both; grant credentials stay sealed with the earlier run's
key, which none of the measured requests opens.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from common import SLOT, config_body
from psycopg.types.json import Json
from serverproc import API_KEY, Server
from sqlalchemy import JSON, create_engine, select, text
from sqlalchemy.engine import make_url

from slotwise import keyring
from slotwise.bookings.salts import seal_salt
from slotwise.db.engine import Database, normalize_url
from slotwise.db.migrate import upgrade
from slotwise.db.models import Booking, Calendar, Configuration, Event, Grant
from slotwise.db.rows import row_values
from slotwise.events.service import build_event
from slotwise.grants.service import connect_custom
from slotwise.ids import new_id, new_salt, new_uuid
from slotwise.scheduling.service import create_configuration

DAY = 86400
DAYS_IN_FUTURE = 120  # the seeded events span 660 days; requests look ahead this far
TEAM = 50
TEAM_EVENTS = 96
OTHER_EVENTS = 219
BOOKINGS_PER_OTHER = 20
ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney")
BATCH_GRANTS = 200


# ------------------------------------------------------------------ seeding


def event_bodies(rng: random.Random, count: int, series: int, now: int) -> Iterator[dict[str, Any]]:
    """`count` event bodies over [now - 600 d, now + 60 d): `series` weekly series (half of them
    open-ended), the rest meetings of 30-90 minutes at working hours, one in 40 a multi-day
    block, one in 3 with a description and a guest."""
    origin = (now // DAY - 600) * DAY
    for k in range(count):
        day = origin + rng.randrange(660) * DAY
        start = day + rng.randrange(13, 22) * 3600 + rng.choice((0, 1800))
        body: dict[str, Any] = {"title": f"Meeting {k}", "busy": True}
        if k < series:
            until = "" if k % 2 else f";COUNT={rng.randrange(20, 80)}"
            body["recurrence"] = [f"RRULE:FREQ=WEEKLY{until}"]
        if k % 40 == 39:
            end = start + rng.randrange(2, 6) * DAY  # a multi-day block (the long-span index)
        else:
            end = start + rng.choice((1800, 3600, 5400))
        if k % 3 == 0:
            body["description"] = "Agenda: " + " ".join(f"item {i}" for i in range(8))
            body["participants"] = [{"email": "guest@example.org", "status": "yes"}]
        body["when"] = {"start_time": start, "end_time": end}
        yield body


class EventRows:
    """Event rows for one grant's calendar, as `build_event` makes them.

    Building an ORM event per row costs about a millisecond; 1.1 M of them would take most of
    an hour. Rows of the same shape (single, with or without description) differ only in id,
    title and times, so the first of each shape is built and the others are copies with those
    replaced; every `check_every`-th copy is compared with a freshly built row, and the run
    stops if they differ anywhere but the id.
    """

    def __init__(self, grant: Grant, calendar: Calendar, check_every: int = 500) -> None:
        self.grant, self.calendar = grant, calendar
        self.templates: dict[bool, dict[str, Any]] = {}
        self.check_every = check_every
        self.copies = 0

    def row(self, body: dict[str, Any], created_at: int) -> dict[str, Any]:
        if "recurrence" in body:
            return row_values(build_event(self.grant, self.calendar, body, created_at))
        shape = "description" in body
        template = self.templates.get(shape)
        if template is None:
            built = row_values(build_event(self.grant, self.calendar, body, created_at))
            self.templates[shape] = built
            return built
        start, end = body["when"]["start_time"], body["when"]["end_time"]
        copy = dict(template)
        copy["id"] = new_id()
        copy["ical_uid"] = f"{copy['id']}@slotwise"
        copy["title"] = body["title"]
        copy["start_ts"], copy["end_ts"] = start, end
        copy["when"] = {**template["when"], "start_time": start, "end_time": end}
        copy["created_at"] = copy["updated_at"] = created_at
        self.copies += 1
        if self.copies % self.check_every == 0:
            built = row_values(build_event(self.grant, self.calendar, body, created_at))
            for key in ("id", "ical_uid"):
                built[key] = copy[key]
            if built != copy:
                raise SystemExit(f"a copied event row differs from a built one: {copy} {built}")
        return copy


def connect(session: Any, email: str, zone: str) -> tuple[Grant, Calendar]:
    body = {"provider": "virtual-calendar", "settings": {"email": email, "timezone": zone}}
    grant = connect_custom(session, body).grant
    calendar = session.scalar(select(Calendar).where(Calendar.grant_id == grant.id))
    return grant, calendar


def booking_row(
    config: Configuration, grant: Grant, calendar: Calendar, event: dict[str, Any]
) -> Any:
    """A booking as `create_booking` stores it for a guest who booked `event`."""
    return Booking(
        id=new_uuid(),
        configuration_id=config.id,
        event_id=event["id"],
        organizer_grant_id=grant.id,
        organizer_calendar_id=calendar.id,
        organizer_email=grant.email,
        organizer_name=grant.name,
        hosts=[grant.email],
        status="booked",
        sealed_salt=seal_salt(new_salt()),
        title="Bench",
        description=None,
        guest={"email": f"guest-{event['id']}@example.org", "name": "Guest"},
        additional_guests=[],
        additional_fields={},
        guest_timezone="UTC",
        email_language="en",
        start_ts=event["start_ts"],
        end_ts=event["end_ts"],
        created_at=event["created_at"],
        updated_at=event["created_at"],
    )


def seed_grants(
    db: Database, emails: Sequence[str], per_grant: int, series: int, bookings: int, seed: int
) -> None:
    now = int(time.time())
    for at in range(0, len(emails), BATCH_GRANTS):
        events: list[dict[str, Any]] = []
        booking_rows: list[dict[str, Any]] = []
        with db.session() as session:
            for n, email in enumerate(emails[at : at + BATCH_GRANTS], start=at):
                rng = random.Random(f"{seed}:{email}")
                grant, calendar = connect(session, email, ZONES[n % len(ZONES)])
                config = create_configuration(
                    session, grant, config_body([email], None, days_in_future=DAYS_IN_FUTURE)
                )
                rows = EventRows(grant, calendar)
                for k, body in enumerate(event_bodies(rng, per_grant, series, now)):
                    event = rows.row(body, now - rng.randrange(600) * DAY)
                    events.append(event)
                    if series <= k < series + bookings:
                        booking = booking_row(config, grant, calendar, event)
                        booking_rows.append(row_values(booking))
            connection = session.connection()
            for rows_, model in ((events, Event), (booking_rows, Booking)):
                insert_rows(connection, model.__table__, rows_)


def insert_rows(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (complete column dicts, from `row_values`) in the caller's transaction.

    PostgreSQL: one COPY per table and batch. psycopg's executemany still sends a statement
    per row (30,000 round trips for 26,700 events: most of the seeding time); COPY streams
    them. JSON columns are passed as psycopg `Json`, which serialises with `json.dumps`' defaults
    like SQLAlchemy's JSON type, None included (stored as JSON null, as SQLAlchemy stores it),
    so the stored rows are the ones an INSERT would have written. SQLite: executemany, which
    the sqlite3 module runs without a round trip per row.
    """
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), 5000):
            connection.execute(table.insert(), rows[start : start + 5000])
        return
    columns = [c for c in table.columns if c.key in rows[0]]
    json_columns = {c.key for c in columns if isinstance(c.type, JSON)}
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [Json(row[c.key]) if c.key in json_columns else row[c.key] for c in columns]
            )


def seed(url: str, data_dir: Path, big_grants: int, seed_value: int) -> None:
    # Grant credentials are sealed with the key the server for this database will read.
    keyring.configure(None, data_dir)
    upgrade(url)
    db = Database(url)
    team = [f"member{i}@team.example" for i in range(TEAM)]
    seed_grants(db, team, TEAM_EVENTS, 2, 0, seed_value)
    if big_grants:
        others = [f"person{i}@org{i % 97}.example" for i in range(big_grants)]
        seed_grants(db, others, OTHER_EVENTS, 3, BOOKINGS_PER_OTHER, seed_value)
    if not db.is_sqlite:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    db.dispose()


def fresh_postgres(base: str, suffix: str) -> str:
    url = make_url(normalize_url(base))
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def existing_postgres(base: str, suffix: str) -> str | None:
    """The URL of `<db>_<suffix>` if an earlier run seeded it (it has team grants), else None."""
    url = make_url(normalize_url(base)).set(database=f"{make_url(base).database}_{suffix}")
    rendered = url.render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"))
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).first()
    admin.dispose()
    if found is None:
        return None
    db = Database(rendered)
    try:
        with db.engine.connect() as conn:
            seeded = conn.execute(
                text("SELECT 1 FROM grants WHERE email = 'member0@team.example'")
            ).first()
    except Exception:  # no schema yet: an interrupted run
        seeded = None
    finally:
        db.dispose()
    return rendered if seeded is not None else None


def counts(url: str) -> str:
    db = Database(url)
    with db.engine.connect() as conn:
        parts = [
            f"{table} {conn.execute(text(f'SELECT count(*) FROM {table}')).scalar():,}"
            for table in ("grants", "events", "bookings", "outbox")
        ]
    db.dispose()
    return ", ".join(parts)


# ------------------------------------------------------------------ requests


class Target:
    """One server and the ids the requests need there (ids differ, the data does not)."""

    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120
        )
        db = Database(url)
        with db.session(write=False) as session:
            team = session.execute(
                select(Grant.email, Grant.id).where(Grant.email.like("%@team.example"))
            )
            self.grants = {email: gid for email, gid in team}
        db.dispose()
        owner = self.grants["member0@team.example"]
        pool = [f"member{i}@team.example" for i in (1, 2, 3)]
        made = self.client.post(
            f"/v3/grants/{owner}/scheduling/configurations",
            json=config_body(pool, "max-fairness", days_in_future=DAYS_IN_FUTURE),
        )
        made.raise_for_status()
        self.pool_config = made.json()["data"]["id"]
        booker = self.grants["member4@team.example"]
        made = self.client.post(
            f"/v3/grants/{booker}/scheduling/configurations",
            json=config_body(["member4@team.example"], None, days_in_future=DAYS_IN_FUTURE),
        )
        made.raise_for_status()
        self.booking_config = made.json()["data"]["id"]

    def timed(self, method: str, path: str, **kwargs: Any) -> float:
        t0 = time.perf_counter()
        response = self.client.request(method, path, **kwargs)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:300]}")
        return elapsed


def requests_for(target: Target, week: int, slot: int) -> dict[str, Any]:
    team = [f"member{i}@team.example" for i in range(TEAM)]
    end = week + 7 * DAY
    hours = [{"days": [1, 2, 3, 4, 5], "timezone": "UTC", "start": "08:00", "end": "18:00"}]
    return {
        "availability-50": lambda: target.timed(
            "POST",
            "/v3/calendars/availability",
            json={
                "start_time": week,
                "end_time": end,
                "duration_minutes": 30,
                "participants": [{"email": e, "open_hours": hours} for e in team],
                "availability_rules": {"availability_method": "max-availability"},
            },
        ),
        "scheduler": lambda: target.timed(
            "GET",
            "/v3/scheduling/availability",
            params={"configuration_id": target.pool_config, "start_time": week, "end_time": end},
        ),
        "free-busy": lambda: target.timed(
            "POST",
            f"/v3/grants/{target.grants['member0@team.example']}/calendars/free-busy",
            json={"start_time": week, "end_time": end, "emails": team[:5]},
        ),
        "booking": lambda: target.timed(
            "POST",
            "/v3/scheduling/bookings",
            params={"configuration_id": target.booking_config},
            json={
                "start_time": slot,
                "end_time": slot + SLOT,
                "guest": {"email": "guest@example.org", "name": "Guest"},
            },
        ),
    }


def free_slots(target: Target, start: int, count: int) -> list[int]:
    """Bookable starts of the 1:1 configuration, far from the seeded events' end (+60 d)."""
    slots: list[int] = []
    while len(slots) < count:
        response = target.client.get(
            "/v3/scheduling/availability",
            params={
                "configuration_id": target.booking_config,
                "start_time": start,
                "end_time": start + 7 * DAY,
            },
        )
        response.raise_for_status()
        slots += [s["start_time"] for s in response.json()["data"]["time_slots"]]
        start += 7 * DAY
    return slots[:count]


def measure(small: Target, big: Target, rounds: int, tries: int) -> dict[str, list[float]]:
    """Pair ratios (big/small) per request kind, one per round.

    In a round each request goes `tries` times to each server, alternating (and the first
    server alternates between rounds); the ratio is of the fastest of each side, which is what
    the request costs when nothing else on the machine gets in the way.
    """
    now = int(time.time())
    week = (now // DAY + 14) * DAY
    needed = (rounds + 1) * tries
    slots = free_slots(small, (now // DAY + 70) * DAY, needed)
    if slots != free_slots(big, (now // DAY + 70) * DAY, needed):
        raise SystemExit("the two databases do not offer the same slots")
    ratios: dict[str, list[float]] = {}
    for r in range(rounds + 1):
        order = (small, big) if r % 2 == 0 else (big, small)
        times: dict[tuple[str, int], list[float]] = {}
        for t in range(tries):
            slot = slots[r * tries + t]
            kinds = [requests_for(target, week, slot) for target in order]
            for name in kinds[0]:
                for side, target in enumerate(order):
                    elapsed = kinds[side][name]()
                    times.setdefault((name, id(target)), []).append(elapsed)
        if r == 0:
            continue  # warm-up round
        for name in ("availability-50", "scheduler", "free-busy", "booking"):
            small_ms = min(times[(name, id(small))])
            big_ms = min(times[(name, id(big))])
            ratios.setdefault(name, []).append(big_ms / small_ms)
            ratios.setdefault(name + " small ms", []).append(small_ms)
    return ratios


def report(store: str, ratios: dict[str, list[float]]) -> None:
    print(f"\n{store}: paired ratio big/small per request (median, middle half), small ms")
    for name, values in ratios.items():
        if name.endswith(" ms"):
            continue
        q = statistics.quantiles(values, n=4)
        small = statistics.median(ratios[name + " small ms"])
        verdict = "ok" if statistics.median(values) <= 1.10 else "OVER 1.10"
        print(
            f"  {name:<16} {statistics.median(values):.3f}  ({q[0]:.3f}–{q[2]:.3f})"
            f"  small {small:7.1f} ms  {verdict}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--tries", type=int, default=3, help="requests per side per round")
    parser.add_argument("--big-grants", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: measure already seeded databases"
    )
    args = parser.parse_args(argv)
    pg = os.environ.get("SLOTWISE_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for store in args.stores.split(","):
            if store == "postgresql" and not pg:
                print("postgresql: skipped (set SLOTWISE_BENCH_DATABASE_URL)")
                continue
            urls = {}
            data = {size: tmp / f"data-{store}-{size}" for size in ("small", "big")}
            for size in ("small", "big"):
                reused = (
                    existing_postgres(str(pg), size) if args.reuse and store != "sqlite" else None
                )
                if reused and args.reuse:
                    urls[size] = reused
                    print(f"{store} {size}: reused ({counts(reused)})", flush=True)
                    continue
                if store == "sqlite":
                    urls[size] = f"sqlite:///{tmp}/scale-{size}.db"
                else:
                    urls[size] = fresh_postgres(str(pg), size)
                t0 = time.perf_counter()
                seed(urls[size], data[size], args.big_grants if size == "big" else 0, args.seed)
                print(
                    f"{store} {size}: seeded in {time.perf_counter() - t0:.0f} s"
                    f" ({counts(urls[size])})",
                    flush=True,
                )
            servers = {s: Server(url, data[s]) for s, url in urls.items()}
            try:
                small, big = (Target(servers[s], urls[s]) for s in ("small", "big"))
                report(store, measure(small, big, args.rounds, args.tries))
            finally:
                for server in servers.values():
                    server.stop()


if __name__ == "__main__":
    main()

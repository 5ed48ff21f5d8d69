"""The application factory: one ASGI app assembling the JSON faces (api), the hosted pages
(web) and the in-process worker."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from slotwise import __version__, keyring, links, outbound
from slotwise.api.cors import ApplicationCORS
from slotwise.api.envelope import RequestIdMiddleware
from slotwise.api.errors import install_error_handlers
from slotwise.api.failures import UnhandledErrorMiddleware
from slotwise.api.openapi import install as install_openapi
from slotwise.api.request_log import RequestLogMiddleware
from slotwise.config import Settings
from slotwise.db.engine import Database

# Methods and headers the Nylas Scheduler web component sends cross-origin.
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Source",
    "X-Nylas-Web-Elements-Version",
    "X-Nylas-Application-Public-Id",
    "Idempotency-Key",
]

DESCRIPTION = (
    "Slotwise, a self-hosted scheduling server speaking the Nylas v3 wire format (and the v2 "
    "Scheduler's). Errors come in the Nylas envelope, naming the field at fault."
)


def _include_routers(app: FastAPI) -> None:
    # Each face registers its routers here; imports are local so the list reads as the map.
    from slotwise.api.routers import health, metrics
    from slotwise.api.routers.v2 import availability as v2_availability
    from slotwise.api.routers.v2 import free_busy as v2_free_busy
    from slotwise.api.routers.v2 import page_bookings, page_images, pages, schedule
    from slotwise.api.routers.v3 import (
        access_tokens,
        applications,
        bookings,
        calendars,
        configurations,
        connect,
        events,
        free_busy,
        grant_limits,
        grants,
        group_events,
        holds,
        scheduling,
        sessions,
        webhooks,
    )
    from slotwise.api.routers.v3 import availability as v3_availability

    app.include_router(health.router)
    app.include_router(metrics.router)
    # Early: a request is matched against the routes in this order, and a large availability
    # request is the one whose cost is measured against the engine's (bench/availability.py).
    app.include_router(v3_availability.router)
    app.include_router(grants.router)
    app.include_router(applications.router)
    app.include_router(connect.router)
    app.include_router(access_tokens.router)
    app.include_router(free_busy.router)
    app.include_router(calendars.router)
    app.include_router(events.router)
    app.include_router(v2_free_busy.router)
    app.include_router(v2_availability.router)
    app.include_router(configurations.router)
    app.include_router(group_events.router)
    app.include_router(sessions.router)
    app.include_router(scheduling.router)
    app.include_router(bookings.router)
    app.include_router(holds.router)
    app.include_router(grant_limits.router)
    app.include_router(webhooks.router)
    app.include_router(pages.router)
    app.include_router(page_bookings.router)
    app.include_router(page_images.router)
    app.include_router(schedule.router)

    from slotwise import web

    web.install(app)  # hosted HTML pages (booking, manage, organizer confirmation)


# Container allocations between two young-generation collections in a served process (the
# interpreter's default is 700). A large availability answer allocates some 100,000 (slots,
# busy spans, their tuples): at 700 that was over a hundred collections per request, each
# also counting toward the older generations'. The objects a request makes are freed by
# reference counting when it ends; the collector is there for cycles, which wait a little
# longer now, a few megabytes at most.
YOUNG_COLLECTION_THRESHOLD = 20_000


def settle_heap() -> None:
    """Tune the collector of a served process once its start-up has built everything.

    Everything alive then (modules, routes, models) lives as long as the process: moved out
    of the collector's generations, it is no longer traversed by every full collection that a
    large answer's many small objects set off (a third of the server's CPU for a 50-person
    month of availability, bench/availability.py). Not for apps made in-process (tests make
    many in one process, and frozen objects are never collected).
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The in-process delivery worker (Settings.run_worker; `serve --no-worker` turns it off).
    background = None
    if app.state.settings.run_worker:
        from slotwise.worker import BackgroundWorker, Worker

        background = BackgroundWorker(Worker(app.state.db, app.state.settings)).start()
    if getattr(app.state, "freeze_heap", False):
        settle_heap()
    try:
        yield
    finally:
        if background is not None:
            background.stop()


def create_served_app() -> FastAPI:
    """`create_app` for the processes `slotwise serve` runs (uvicorn's factory): the same app,
    whose start-up also freezes the heap it has built (see `_lifespan`)."""
    app = create_app()
    app.state.freeze_heap = True
    return app


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # /docs and /redoc are the web face's pages (assets served here, no CDN); the document
    # itself is finished by api.openapi.
    app = FastAPI(
        title="Slotwise",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    keyring.configure(settings.secret_key, settings.data_dir)
    app.state.db = database or Database(settings.resolved_database_url)
    from slotwise.providers import policy as provider_policy

    provider_policy.configure(settings.provider_sync_seconds, settings.provider_timeout_seconds)
    outbound.configure(outbound.Policy.from_settings(settings))
    links.configure(links.HostedLinks.from_settings(settings))
    from slotwise.bookings import follow

    follow.subscribe()  # bookings follow the calendar events they made
    install_error_handlers(app)
    _include_routers(app)
    install_openapi(app)
    app.add_middleware(
        ApplicationCORS,
        db=app.state.db,
        allow_origins=settings.cors_origins,
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=["X-Request-Id"],
        max_age=600,
    )
    # Outermost last: the request id wraps the request log, which wraps the last resort for
    # unexpected errors (so a 500 is logged with its status and keeps the connection).
    app.add_middleware(UnhandledErrorMiddleware, render=app.exception_handlers[Exception])
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app

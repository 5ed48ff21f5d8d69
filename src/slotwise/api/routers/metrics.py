"""GET /metrics: Prometheus text format, for the operator's scraper.

Protected: the admin API key, or `SLOTWISE_METRICS_TOKEN` as a bearer token (so a scraper need
not hold a key that can change data).
"""

from __future__ import annotations

import hmac
import os

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from slotwise import clock
from slotwise.edge.request import bearer_token, get_db, get_settings, is_admin_key
from slotwise.errors import Unauthorized
from slotwise.operations.collector import DatabaseCollector

router = APIRouter()


def _authorize(request: Request) -> None:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Authorization: missing Bearer token (admin API key or metrics token)")
    expected = get_settings(request).metrics_token
    if expected and hmac.compare_digest(token.encode(), expected.encode()):
        return
    if not is_admin_key(request, None, token):
        raise Unauthorized("Authorization: the token is not valid for /metrics")


def _render(request: Request) -> bytes:
    _authorize(request)  # here, in a thread: checking a stored key may read the database
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # `serve --workers N`: every worker writes its counters there; add them all up.
        # prometheus_client leaves this constructor unannotated.
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registries = [registry]
    else:
        registries = [REGISTRY, registry]
    registry.register(DatabaseCollector(get_db(request), clock.now))
    return b"".join(generate_latest(r) for r in registries)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    body = await anyio.to_thread.run_sync(_render, request)
    return Response(body, media_type=CONTENT_TYPE_LATEST)

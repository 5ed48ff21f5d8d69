"""Liveness answers without touching the database; readiness proves a write commits."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from slotwise.api.envelope import ok
from slotwise.api.errors import unavailable_response
from slotwise.edge.request import get_db
from slotwise.operations.readiness import check_write

router = APIRouter()


@router.get("/healthz", summary="Liveness")
def healthz(request: Request) -> JSONResponse:
    return ok(request, {"status": "ok"})


@router.get("/readyz", summary="Readiness: a write commits")
async def readyz(request: Request) -> JSONResponse:
    problem = await anyio.to_thread.run_sync(check_write, get_db(request))
    if problem is not None:
        return unavailable_response(request, f"Not ready: {problem}")
    return ok(request, {"status": "ready"})

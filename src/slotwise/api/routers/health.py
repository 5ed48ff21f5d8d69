"""Liveness: answers without touching the database; readiness: one trivial query."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from slotwise.api.deps import get_db
from slotwise.api.envelope import ok

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    return ok(request, {"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    with get_db(request).session(write=False) as session:
        session.execute(text("SELECT 1"))
    return ok(request, {"status": "ready"})

"""Render every failure in the Nylas error envelope, in one place, for the JSON faces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from slotwise.api.envelope import error_response
from slotwise.api.request_log import route_template
from slotwise.db.faults import RETRY_AFTER_SECONDS, is_unavailable
from slotwise.errors import RateLimited, SlotwiseError
from slotwise.validation import describe

log = logging.getLogger("slotwise.api")

_HTTP_TYPES = {
    400: "invalid_request_error",
    401: "unauthorized",
    403: "insufficient_scopes",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SlotwiseError)
    async def _slotwise(request: Request, exc: SlotwiseError) -> JSONResponse:
        response = error_response(
            request, exc.status_code, exc.error_type, exc.message, extra=exc.extra()
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        message = describe(exc.errors())
        return error_response(request, 400, "invalid_request_error", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error_type = _HTTP_TYPES.get(exc.status_code, "invalid_request_error")
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"No such path: {request.method} {request.url.path}"
        else:
            message = str(exc.detail)
        return error_response(request, exc.status_code, error_type, message)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a NUL byte in a path, an integer out of range).
        log.info("rejected by the database on %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            request, 400, "invalid_request_error", "A value is malformed or out of range"
        )

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if not is_unavailable(exc):
            return await _unexpected(request, exc)
        log.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
        )
        return unavailable_response(request)

    app.add_exception_handler(sa_exc.DBAPIError, _database)
    app.add_exception_handler(sa_exc.TimeoutError, _database)

    # Also reached through api.failures.UnhandledErrorMiddleware, which renders it without
    # re-raising, so the connection stays usable after a 500.
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, route_template(request.scope))
        return error_response(request, 500, "internal_error", "Internal server error")


def unavailable_response(request: Request, message: str | None = None) -> JSONResponse:
    """503 for a database that is down, refusing or read-only: nothing was done; retry."""
    text = message or "The database is unavailable; nothing was changed"
    response = error_response(
        request,
        503,
        "service_unavailable",
        f"{text}. Retry in {RETRY_AFTER_SECONDS} s.",
        extra={"retry_after": RETRY_AFTER_SECONDS},
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

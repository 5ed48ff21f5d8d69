"""/docs (Swagger UI) and /redoc (ReDoc): the API reference, every asset served by Slotwise.

The viewers' files come from the `fastapi-offline` package (mounted at ASSETS by
`web.install`), so the pages work with no network and load nothing from another host. Each
page starts its viewer from a script file of ours (no inline script), under a policy as strict
as the viewer allows: Swagger UI needs `data:` images (its icons); ReDoc sets its styles
inline and runs its search in a worker it makes from a `blob:`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from slotwise.web.render import render

ASSETS = "/docs/assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")

_COMMON = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SWAGGER_CSP = (
    f"{_COMMON}; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
)
REDOC_CSP = (
    f"{_COMMON}; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src blob:"
)

router = APIRouter()


def _page(template: str, policy: str) -> HTMLResponse:
    response = render(template, {"assets": ASSETS, "spec": "/openapi.json"})
    response.headers["Content-Security-Policy"] = policy
    return response


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return _page("api_swagger.html", SWAGGER_CSP)


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    return _page("api_redoc.html", REDOC_CSP)

"""Slotwise's sign-in page for hosted authentication: GET /v3/connect/auth and its forms.

The client (the scheduler editor's identity module, any OAuth client) sends the browser here;
after a CalDAV/iCloud account is verified or an emailed code is entered, the browser goes back
to the registered redirect URI with `code` and `state`. Rules in slotwise.tokens.sign_in.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from slotwise.edge.limits import connect_email_limit, connect_limit
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import InvalidRequest
from slotwise.tokens import sign_in
from slotwise.web.pages import Form, form_data, same_origin
from slotwise.web.render import redirect, render

router = APIRouter(prefix="/v3/connect/auth", dependencies=[Depends(connect_limit)])


def _one(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]


def _page(attempt: str, form: dict[str, Any], error: str | None, status: int = 200) -> Response:
    context = {
        "attempt": attempt,
        "error": error,
        "login_hint": form.get("email") or form.get("login_hint") or "",
        "provider": form.get("provider") or "caldav",
        "url": form.get("url") or "",
        "username": form.get("username") or "",
    }
    return render("sign_in.html", context, status)


@router.api_route("", methods=["GET", "HEAD"])
def sign_in_page(request: Request) -> Response:
    query = dict(request.query_params)
    with get_db(request).session() as session:
        try:
            auth = sign_in.check_request(session, get_settings(request), query)
        except sign_in.ClientError:
            raise
        except InvalidRequest as exc:
            # A registered client and redirect URI, asking wrongly: tell the client.
            back = sign_in.error_redirect(query["redirect_uri"], query.get("state"), exc.message)
            return redirect(back)
        attempt = sign_in.begin(session, auth)
    hint = {"email": auth.login_hint, "provider": auth.provider}
    return _page(attempt, hint, None)


@router.post("/calendar")
def sign_in_with_calendar(request: Request, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    attempt = _one(form, "attempt")
    fields = {k: _one(form, k) for k in ("provider", "email", "url", "username", "password")}
    try:
        with get_db(request).session() as session:
            back = sign_in.sign_in_remote(session, attempt, fields)
    except sign_in.ClientError:
        raise
    except InvalidRequest as exc:
        shown = {k: v for k, v in fields.items() if k != "password"}
        return _page(attempt, shown, exc.message, 400)
    return redirect(back)


@router.post("/email")
def send_sign_in_code(request: Request, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    attempt, address = _one(form, "attempt"), _one(form, "email")
    connect_email_limit(request, address)
    with get_db(request).session() as session:
        sign_in.send_code(session, get_settings(request), attempt, address)
    return _code_page(attempt, address, None)


def _code_page(attempt: str, address: str, error: str | None, status: int = 200) -> Response:
    return render(
        "sign_in_code.html", {"attempt": attempt, "email": address, "error": error}, status
    )


@router.post("/code")
def sign_in_with_code(request: Request, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    attempt = _one(form, "attempt")
    # The unit of work commits a wrong try too: that is what makes the tries run out.
    with get_db(request).session() as session:
        checked = sign_in.check_code(session, attempt, _one(form, "code"))
        address = sign_in.attempt_email(session, attempt) if checked.redirect is None else ""
    if checked.redirect is not None:
        return redirect(checked.redirect)
    return _code_page(attempt, address, checked.problem, 400)

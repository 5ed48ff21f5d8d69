"""The organizer's "why not this time" view of a booking page, for one local day.

    GET  /book/{slug_or_id}/explain?date=YYYY-MM-DD   with Authorization: Bearer
    POST /book/{slug_or_id}/explain                   token (or the header) and date as a form

Only the API key or a session of this configuration opens it (as the explain API); a guest
gets a sign-in form that shows nothing of the configuration, the same for every name, so the
page reveals neither calendars nor which configurations exist. The token travels in a header
or a POST body, never in a URL (server logs, history). Every start on the configuration's
grain (every multiple of it, at least 15 minutes apart) from the organizer's local midnight is
explained, in the organizer's zone, where the grid is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.availability import zones
from slotwise.availability.explain import Explanation
from slotwise.db.models import Configuration
from slotwise.documents import read_document
from slotwise.edge.limits import public_method
from slotwise.edge.request import bearer_token, get_db, get_settings, is_admin_key
from slotwise.errors import Forbidden, InvalidSession, NotFound, Unauthorized
from slotwise.i18n.languages import ENGLISH
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.access import resolve_access
from slotwise.scheduling.explain import explain_offer
from slotwise.scheduling.offer import organizer_timezone, rules_of
from slotwise.web import views
from slotwise.web.pages import Form, form_data, same_origin
from slotwise.web.render import render

router = APIRouter(dependencies=[Depends(public_method)])

MIN_STEP = 15 * 60
DENIED = "That key or session does not open this page."


@dataclass(frozen=True)
class Row:
    label: str
    offered: bool
    reasons: list[str]  # "who: what", in order of precedence


@router.api_route("/book/{name}/explain", methods=["GET", "HEAD"])
def explain_page(request: Request, name: str) -> Response:
    query = request.query_params
    return _page(request, name, bearer_token(request), query.get("date"), from_form=False)


@router.post("/book/{name}/explain")
def explain_form(request: Request, name: str, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    typed = _one(form, "token").strip() or None
    token = typed or bearer_token(request)
    return _page(request, name, token, _one(form, "date"), from_form=typed is not None)


def _one(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]


def _page(
    request: Request, name: str, token: str | None, day: str | None, *, from_form: bool
) -> Response:
    if token is None:
        return _sign_in(day, "")
    with get_db(request).session(write=False) as session:
        config = _organizers_configuration(request, session, name, token)
        if config is None:
            return _sign_in(day, DENIED)
        zone = organizer_timezone(read_document(config))
        now = clock.now()
        chosen = views.parse_day(day, views.local_day(now, zone))
        rows = [_row(x, zone) for x in _explain_day(session, config, chosen, zone, now)]
        context = {
            "page": views.page_info(session, config, ENGLISH),  # an organizer's tool: English
            "day": chosen.isoformat(),
            "day_label": f"{chosen:%A} {chosen.day} {chosen:%B} {chosen.year}",
            "zone": zone,
            "rows": rows,
            # A token that came in a form goes back in the day picker's form (a POST body,
            # on a page that is never cached); one from a header stays in the header.
            "token": token if from_form else "",
        }
        return render("explain.html", context)


def _organizers_configuration(
    request: Request, session: Session, name: str, token: str
) -> Configuration | None:
    """The configuration `name` names, if `token` is the API key or its session."""
    config = scheduling_repository.find_by_slug(session, name)
    if config is None and len(name) <= 64:
        config = scheduling_repository.find_configuration(session, name)
    if config is None:
        return None
    try:
        access = resolve_access(
            session,
            token=token,
            token_is_api_key=is_admin_key(request, session, token),
            configuration_id=config.id,
            slug=None,
            client_id=None,
            application_id=get_settings(request).application_id,
        )
    except (InvalidSession, Forbidden, Unauthorized, NotFound):
        return None
    return access.configuration


def _explain_day(
    session: Session, config: Configuration, day: date, zone: str, now: int
) -> list[Explanation]:
    tz = zones.zone(zone)
    start, end = zones.day_span(day, day, tz)
    rules = rules_of(read_document(config))
    # Starts are wall-clock multiples of this grain (scheduling.offer.on_offered_grid).
    grain = math.gcd(rules.round_to, rules.interval or rules.duration) or rules.duration
    step = grain * -(-MIN_STEP // grain)
    times = list(range(start, end - rules.duration + 1, step))[:200] or [start]
    return explain_offer(session, config, times, now=now, window=(start, end))


def _row(x: Explanation, zone: str) -> Row:
    label = f"{zones.epoch_to_local(x.start, zones.zone(zone)):%H:%M}"
    if x.offered:
        return Row(label, True, [])
    return Row(
        label, False, [f"{r.email}: {r.message}" if r.email else r.message for r in x.reasons]
    )


def _sign_in(day: str | None, error: str) -> Response:
    return render("explain_sign_in.html", {"day": day or "", "error": error}, 401)

"""The hosted pages' routes.

    GET  /book/{slug_or_id}                                  slots by local day, week by week
    GET  /book/{slug_or_id}?start=...                        the booking form for one slot
    POST /book/{slug_or_id}                                  book it (the API's create path)
    GET  /bookings/{booking_ref}                             the booking; reschedule and cancel
    POST /bookings/{booking_ref}/reschedule | /cancel
    GET  /scheduling/organizer-confirmation/{booking_ref}    a pending booking, with buttons
    POST /scheduling/organizer-confirmation/{booking_ref}    confirm or decline it

GET never changes anything (mail scanners fetch links). Each POST answers 303 to the page
that shows the result, or re-renders its page with the problem and a 4xx status.

Credentials: only public configurations (`requires_session_auth` false) have a booking page.
A booking_ref is the credential of the manage and organizer pages: the guest's (carrying the
booking's salt) opens the manage page only, the organizer's (carrying the organizer's own
secret, see slotwise.capabilities) the organizer page only; any part that does not match is
a 404. POSTs whose `Origin` names another
site are refused (403); the pages may not be framed (see render.SECURITY_HEADERS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings import outcomes, remote, service
from slotwise.bookings.invitation import booking_invitation
from slotwise.bookings.payloads import booking_ref
from slotwise.bookings.repository import find_booking
from slotwise.bookings.salts import guest_salt
from slotwise.bookings.schemas import CancelBooking, DecideBooking, MoveBooking, NewBooking
from slotwise.capabilities import matches_hash, same_secret
from slotwise.db.models import Booking, Configuration
from slotwise.documents import read_document
from slotwise.edge.limits import public_method
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    SlotwiseError,
    TimeslotUnavailable,
)
from slotwise.i18n.catalogs import N_
from slotwise.i18n.languages import Language
from slotwise.ids import decode_booking_ref
from slotwise.notifications.email import smtp_configured
from slotwise.scheduling import repository as scheduling_repository
from slotwise.scheduling.access import PUBLIC, Access
from slotwise.scheduling.offer import (
    duration_seconds,
    next_offered,
    on_offered_grid,
    organizer_timezone,
)
from slotwise.validation import is_http_url, validate_model
from slotwise.web import formats, theme, views
from slotwise.web.render import SECURITY_HEADERS, page_language, redirect, render

# Every page counts against the public rate limits (page loads as reads, form posts as writes).
router = APIRouter(dependencies=[Depends(public_method)])

Form = dict[str, list[str]]
# Shown as the page's notice, read through the guest's catalog by `render`.
SLOT_TAKEN = N_("Sorry, that time was just taken. Please pick another one.")
GONE = N_("That time is not available any more. Please pick another one.")
OFF_GRID = N_("That is not one of the times this page offers. Please pick one of the times below.")


# -- request helpers ---------------------------------------------------------------------------


async def form_data(request: Request) -> Form:
    """The POSTed form (application/x-www-form-urlencoded), size-limited and plain text."""
    raw = await request.body()
    if len(raw) > get_settings(request).max_body_bytes:
        raise PayloadTooLarge(N_("The form is too large."))
    try:
        # errors="strict": a percent-escape that is not UTF-8 (a lone surrogate, say) is a
        # 400, not a silent U+FFFD stored in someone's name.
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest(N_("The form could not be read.")) from None
    if any("\x00" in v for values in form.values() for v in values):
        raise InvalidRequest(N_("The form contains characters that cannot be stored."))
    return {key: [v.strip() for v in values] for key, values in form.items()}


def _one(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def same_origin(request: Request) -> None:
    """Refuse a POST that another site's page made.

    Browsers say where a request comes from in `Sec-Fetch-Site`; older ones only in `Origin`.
    A request with neither (not from a browser) passes: the booking_ref is its credential.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in {"same-origin", "none"}:
            raise Forbidden(N_("This form was sent from another site."))
        return
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    allowed = {request.headers.get("host", ""), urlsplit(get_settings(request).public_url).netloc}
    if urlsplit(origin).netloc not in allowed:
        raise Forbidden(N_("This form was sent from another site."))


def _time(text: str | None) -> int | None:
    """A Unix time from a form or query (years 1970-5138), else None."""
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if 0 <= value < 10**11 else None


def link(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def public_configuration(session: Session, name: str) -> Configuration:
    """A public configuration by slug or id; private or unknown ones are a 404."""
    config = scheduling_repository.find_by_slug(session, name)
    if config is None and len(name) <= 64:
        config = scheduling_repository.find_configuration(session, name)
    if config is None or config.requires_session_auth:
        raise NotFound(f"no booking page {name!r}")
    return config


GUEST = "guest"
ORGANIZER = "organizer"


def booking_by_ref(
    session: Session, ref: str, holder: str = GUEST
) -> tuple[Booking, Configuration]:
    """The booking a booking_ref names, if every part of it matches: the salt for the guest's
    ref, the organizer's secret for the organizer's. Neither opens the other's page."""
    parts = decode_booking_ref(ref) if len(ref) <= 200 else None
    booking = find_booking(session, parts.booking_id) if parts is not None else None
    if parts is None or booking is None or booking.configuration_id != parts.configuration_id:
        raise NotFound("no such booking")
    if holder == ORGANIZER:
        holds = matches_hash(parts.salt, booking.organizer_secret_hash)
    else:
        holds = same_secret(parts.salt, guest_salt(booking))
    if not holds:
        raise NotFound("no such booking")
    config = scheduling_repository.find_configuration(session, booking.configuration_id)
    if config is None:
        raise NotFound("no such booking")
    return booking, config


def unavailable(config: Configuration, start: int) -> str:
    """Why `start` cannot be booked: off the page's grid (a made-up or stale address) or
    taken since the page was shown."""
    return GONE if on_offered_grid(read_document(config), start) else OFF_GRID


def _clock_choice(request: Request, form: Form | None) -> str:
    """The guest's own 12h/24h choice ("12", "24"), or "" to follow their locale."""
    chosen = _one(form, "clock") if form is not None else request.query_params.get("clock", "")
    return chosen if chosen in {"12", "24"} else ""


def _base(
    request: Request,
    session: Session,
    config: Configuration,
    zone: str,
    form: Form | None = None,
) -> dict[str, Any]:
    now = clock.now()
    language = page_language(request)
    choice = _clock_choice(request, form)
    guest_clock = formats.clock_for(request.headers.get("accept-language"), choice, now, zone)

    def page_link(path: str, **params: Any) -> str:
        # Every link keeps the guest's 12h/24h choice (unless it is the switch itself).
        params.setdefault("clock", choice)
        return link(path, **params)

    return {
        "language": language,
        "page": views.page_info(session, config, language),
        "theme": theme.theme_of(config),
        "zone": zone,
        "zone_groups": views.zone_groups(zone, now),
        "clock": guest_clock,
        "clock_choice": choice,
        "link": page_link,
        "message": "",
        "error": "",
        # Let the script show the browser's zone only on a first GET that named none.
        "auto_zone": request.method in {"GET", "HEAD"} and "tz" not in request.query_params,
        # A v2 page's appearance.show_timezone_options: false keeps the times in one zone.
        "zone_picker": (read_document(config).appearance or {}).get("show_timezone_options")
        is not False,
    }


# -- booking page --------------------------------------------------------------------------------


def _slots_page(
    request: Request,
    session: Session,
    config: Configuration,
    name: str,
    zone: str,
    first: str | None,
    *,
    message: str = "",
    status: int = 200,
    suggestions: Sequence[int] = (),
) -> Response:
    """The times to pick from; after a refused booking, the next offered ones first."""
    now = clock.now()
    day = views.parse_day(first, views.local_day(now, zone))
    context = _base(request, session, config, zone)
    guest_clock = context["clock"]
    context.update(
        path=f"/book/{quote(name, safe='')}",
        week=views.week(session, config, zone, day, now, guest_clock),
        month=views.month(
            session, config, zone, day, now, guest_clock, wanted=request.query_params.get("day")
        ),
        message=message,
        suggestions=[(start, guest_clock.moment(start, zone)) for start in suggestions],
    )
    return render("book.html", context, status)


def _form_page(
    request: Request,
    session: Session,
    config: Configuration,
    name: str,
    zone: str,
    start: int,
    first: str | None,
    form: Form | None,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    end = start + duration_seconds(read_document(config))
    context = _base(request, session, config, zone, form)
    context.update(
        path=f"/book/{quote(name, safe='')}",
        start=start,
        first=first or "",
        when=context["clock"].when(start, end, zone),
        fields=views.form_fields(config, form),
        guest_name=_one(form, "guest_name") if form else "",
        guest_email=_one(form, "guest_email") if form else "",
        additional_guests=_one(form, "additional_guests") if form else "",
        error=error,
        # The script holds the time while the guest fills in the form (docs/scheduling.md,
        # "Holds"); a re-shown form keeps the hold it was sent with.
        end=end,
        hold_url=f"/v3/scheduling/holds?{urlencode({'configuration_id': config.id})}",
        hold_id=_one(form, "hold_id") if form else "",
        hold_secret=_one(form, "hold_secret") if form else "",
    )
    return render("book_form.html", context, status)


def _zone_for(config: Configuration, requested: str | None) -> str:
    return views.guest_zone(requested, organizer_timezone(read_document(config)))


@router.api_route("/book/{name}", methods=["GET", "HEAD"])
def booking_page(request: Request, name: str) -> Response:
    query = request.query_params
    with get_db(request).session(write=False) as session:
        config = public_configuration(session, name)
        zone = _zone_for(config, query.get("tz"))
        start = _time(query.get("start"))
        if start is None:
            return _slots_page(request, session, config, name, zone, query.get("from"))
        # Holds aside: the tab holding this time may load its form again; another guest's
        # form then hears from its own hold request that the time is taken.
        if not views.slot_is_offered(session, config, start, clock.now(), with_holds=False):
            message = unavailable(config, start)
            return _slots_page(
                request, session, config, name, zone, query.get("from"), message=message
            )
        return _form_page(request, session, config, name, zone, start, query.get("from"), None)


@router.post("/book/{name}")
def book(request: Request, name: str, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    db = get_db(request)
    start = _time(_one(form, "start"))
    if start is not None:  # takes a slot: remote calendars first, before any lock
        remote.refresh_remote_hosts(db, lambda session: public_configuration(session, name))
    try:
        with db.session() as session:
            config = public_configuration(session, name)
            zone = _zone_for(config, _one(form, "tz"))
            if start is None:
                raise TimeslotUnavailable()
            body = _booking_body(request, config, form, start, zone)
            with outcomes.counted():
                booking, _ = service.create_booking(
                    session,
                    Access(config, PUBLIC),
                    validate_model(NewBooking, body),
                    max_additional_guests=get_settings(request).max_additional_guests,
                )
            ref, pending = booking_ref(booking), booking.status == "pending"
            redirect_to = read_document(config).scheduler.confirmation_redirect_url
            context = _base(request, session, config, zone, form)
            context["booking"] = views.booking_view(
                booking, config, zone, context["clock"], context["language"]
            )
    except TimeslotUnavailable:
        return _slot_taken_page(request, name, form, start)
    except InvalidRequest as exc:
        return _refused_form_page(request, name, form, start, exc)
    # Checked again here: a configuration stored before URLs were checked may hold any text.
    if is_http_url(redirect_to):
        return redirect(str(redirect_to))
    if pending:
        # The guest's ref cancels the request; only the organizer's confirms it.
        context["manage"] = context["link"](f"/bookings/{ref}", tz=zone)
        return render("pending.html", context)
    choice = _clock_choice(request, form)
    return redirect(link(f"/bookings/{ref}", tz=zone, done="booked", clock=choice))


def _booking_body(
    request: Request, config: Configuration, form: Form, start: int, zone: str
) -> dict[str, Any]:
    """The booking form as the body of a v3 booking request (`NewBooking` checks it)."""
    return {
        "start_time": start,
        "end_time": start + duration_seconds(read_document(config)),
        "guest": {"name": _one(form, "guest_name"), "email": _one(form, "guest_email")},
        "timezone": zone,
        "additional_fields": views.answers_of(config, form),
        "additional_guests": [
            {"email": email} for email in views.guest_emails(_one(form, "additional_guests"))
        ],
        "hold_id": _one(form, "hold_id") or None,
        "hold_secret": _one(form, "hold_secret") or None,
        # The guest's emails speak the language the page spoke to them.
        "email_language": email_language(request),
    }


def _slot_taken_page(request: Request, name: str, form: Form, start: int | None) -> Response:
    """409: the slots again, saying why the time could not be booked, with the next ones."""
    with get_db(request).session(write=False) as session:
        config = public_configuration(session, name)
        zone = _zone_for(config, _one(form, "tz"))
        first = _one(form, "from") or None
        taken = start is not None and on_offered_grid(read_document(config), start)
        message = SLOT_TAKEN if taken else OFF_GRID
        offered = next_offered(session, config, start, now=clock.now()) if start else []
        return _slots_page(
            request,
            session,
            config,
            name,
            zone,
            first,
            message=message,
            status=409,
            suggestions=[s.start for s in offered],
        )


def _refused_form_page(
    request: Request, name: str, form: Form, start: int | None, exc: InvalidRequest
) -> Response:
    """400: the form again, as filled in, with the problem in the guest's words."""
    with get_db(request).session(write=False) as session:
        config = public_configuration(session, name)
        zone = _zone_for(config, _one(form, "tz"))
        return _form_page(
            request,
            session,
            config,
            name,
            zone,
            start or 0,
            _one(form, "from"),
            form,
            error=friendly(config, exc.message, page_language(request)),
            status=400,
        )


def email_language(request: Request) -> str:
    """The page's language as a booking's `email_language` tag: `de-AT`, or only `de` when
    the region makes it longer than a booking stores."""
    language = page_language(request)
    return language.tag if len(language.tag) <= 8 else language.code


def friendly(config: Configuration, message: str, language: Language) -> str:
    """A service message for a guest: field paths read as the form's labels."""
    field, sep, problem = message.partition(": ")
    if not sep:
        return language.gettext(message)
    _ = language.gettext
    labels = {
        "guest.name": _("Your name"),
        "guest.email": _("Your email"),
        "start_time": _("The time"),
    }
    if field.startswith("additional_guests"):
        return _("Additional guests") + f": {_problem_words(problem, language)}"
    definitions = read_document(config).scheduler.additional_fields
    for key, spec in definitions.items():
        labels[f"additional_fields.{key}"] = spec.label or key
    return f"{labels.get(field, field)}: {_problem_words(problem, language)}"


# The service's wording a guest most often meets on the form, by how it begins; read through
# the guest's catalog (any other problem shows as the service words it, in English).
_FORM_PROBLEMS = (N_("is required"), N_("expected an email address"))


def _problem_words(problem: str, language: Language) -> str:
    for known in _FORM_PROBLEMS:
        if problem.startswith(known):
            return language.gettext(known)
    return language.gettext(problem)


# -- manage page ---------------------------------------------------------------------------------


STEPS = ("reschedule", "cancel")


def _manage_page(
    request: Request,
    session: Session,
    booking: Booking,
    config: Configuration,
    ref: str,
    requested_zone: str | None,
    *,
    step: str = "",
    first: str | None = None,
    start: int | None = None,
    done: str = "",
    form: Form | None = None,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    """The booking, and (as their own steps) rescheduling it or cancelling it."""
    zone = views.guest_zone(
        requested_zone, booking.guest_timezone or organizer_timezone(read_document(config))
    )
    now = clock.now()
    context = _base(request, session, config, zone, form)
    guest_clock = context["clock"]
    rights = _changes_allowed(config, booking, now)
    if (step == "reschedule" and not rights.reschedule) or (step == "cancel" and not rights.cancel):
        step = ""
    own = (booking.event_id,) if booking.event_id else ()
    chosen = None
    if step == "reschedule" and start is not None:
        if views.slot_is_offered(session, config, start, now, exclude_event_ids=own):
            end = start + duration_seconds(read_document(config))
            chosen = {"start": start, "when": guest_clock.when(start, end, zone)}
        else:
            message = message or unavailable(config, start)
    week = month = None
    if step == "reschedule" and chosen is None:
        place = (zone, guest_clock)
        week, month = _times_to_move_to(request, session, config, booking, place, first, now)
    deadline = rights.deadline
    context.update(
        path=f"/bookings/{ref}",
        ref=ref,
        address=str(request.url.replace(query="")),
        booking=views.booking_view(booking, config, zone, guest_clock, context["language"]),
        book_again=_public_page_path(config),
        can_reschedule=rights.reschedule,
        can_cancel=rights.cancel,
        step=step,
        deadline=guest_clock.moment(deadline, zone) if deadline is not None else "",
        too_late=rights.too_late,
        week=week,
        month=month,
        chosen=chosen,
        first=first or "",
        done=done,
        # Only promise a confirmation email when one will be queued (SMTP set, emails on).
        emails_sent=smtp_configured(get_settings(request))
        and not read_document(config).event_booking.disable_emails,
        message=message,
        error=error,
    )
    return render("manage.html", context, status)


def _times_to_move_to(
    request: Request,
    session: Session,
    config: Configuration,
    booking: Booking,
    place: tuple[str, formats.Clock],
    first: str | None,
    now: int,
) -> tuple[views.WeekView, views.MonthView]:
    """The week from `first` (else today) and its month in the guest's zone and clock
    (`place`), as the reschedule step shows them: the booking being moved neither blocks its
    own times nor is offered back."""
    zone, guest_clock = place
    day = views.parse_day(first, views.local_day(now, zone))
    own = (booking.event_id,) if booking.event_id else ()
    skip = booking.start_ts
    week = views.week(
        session, config, zone, day, now, guest_clock, exclude_event_ids=own, skip_start=skip
    )
    wanted = request.query_params.get("day")
    month = views.month(
        session,
        config,
        zone,
        day,
        now,
        guest_clock,
        wanted=wanted,
        exclude_event_ids=own,
        skip_start=skip,
    )
    return week, month


@dataclass(frozen=True)
class _Changes:
    """What the manage page lets the guest do with a booking."""

    deadline: int | None  # the last moment a change is taken (min_cancellation_notice)
    too_late: bool
    reschedule: bool
    cancel: bool


def _changes_allowed(config: Configuration, booking: Booking, now: int) -> _Changes:
    # The booking service's rule: the page offers exactly what the service would accept.
    scheduler = read_document(config).scheduler
    live = booking.status != "cancelled"
    deadline = service.change_deadline(config, booking)
    too_late = live and deadline is not None and now > deadline
    open_for_changes = live and not too_late
    return _Changes(
        deadline,
        too_late,
        reschedule=open_for_changes and not scheduler.hide_rescheduling_options,
        cancel=open_for_changes and not scheduler.hide_cancellation_options,
    )


def _public_page_path(config: Configuration) -> str:
    """The configuration's booking page, if it has one (a private one has none)."""
    if config.requires_session_auth:
        return ""
    return f"/book/{quote(config.slug or config.id, safe='')}"


@router.api_route("/bookings/{ref}", methods=["GET", "HEAD"])
def manage_page(request: Request, ref: str) -> Response:
    query = request.query_params
    with get_db(request).session(write=False) as session:
        booking, config = booking_by_ref(session, ref)
        done = query.get("done", "")
        start = _time(query.get("start"))
        step = query.get("step", "")
        if start is not None or query.get("from"):  # paging the times or picking one
            step = "reschedule"
        return _manage_page(
            request,
            session,
            booking,
            config,
            ref,
            query.get("tz"),
            step=step if step in STEPS else "",
            first=query.get("from"),
            start=start,
            done=done if done in {"booked", "rescheduled", "cancelled"} else "",
        )


@router.api_route("/bookings/{ref}/calendar.ics", methods=["GET", "HEAD"])
def calendar_file(request: Request, ref: str) -> Response:
    """The booking as an iCalendar file: the same UID and SEQUENCE as the emailed invitation,
    so importing it after the email (or the email after it) updates one event."""
    with get_db(request).session(write=False) as session:
        booking, config = booking_by_ref(session, ref)
        text = booking_invitation(session, booking, config, get_settings(request), clock.now())
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="booking.ics"'},
    )


def _manage_change(request: Request, ref: str, form: Form, what: str, change: Any) -> Response:
    """Run `change(session, access, booking)`; on success 303 to the page, else show why."""
    same_origin(request)
    db = get_db(request)
    zone = _one(form, "tz") or None
    if what == "rescheduling":  # takes a slot: remote calendars first, before any lock
        remote.refresh_remote_hosts(db, lambda session: booking_by_ref(session, ref)[1])
    try:
        with db.session() as session:
            booking, config = booking_by_ref(session, ref)
            # The service refuses what scheduler.hide_*_options hides from guests (403).
            change(session, Access(config, PUBLIC), booking)
    except (TimeslotUnavailable, InvalidRequest, Conflict) as exc:
        unavailable_slot = isinstance(exc, TimeslotUnavailable)
        with db.session(write=False) as session:
            booking, config = booking_by_ref(session, ref)
            start = _time(_one(form, "start"))
            on_grid = start is not None and on_offered_grid(read_document(config), start)
            return _manage_page(
                request,
                session,
                booking,
                config,
                ref,
                zone,
                step="reschedule" if what == "rescheduling" else "cancel",
                first=_one(form, "from") or None,
                form=form,
                message=(SLOT_TAKEN if on_grid else OFF_GRID) if unavailable_slot else "",
                error="" if unavailable_slot else problem_text(exc, page_language(request)),
                status=exc.status_code,
            )
    choice = _clock_choice(request, form)
    return redirect(link(f"/bookings/{ref}", tz=zone, done=_PAST[what], clock=choice))


_PAST = {"rescheduling": "rescheduled", "cancellation": "cancelled"}


def problem_text(exc: SlotwiseError, language: Language) -> str:
    """The service's message without its leading field path, in the guest's language when
    the catalog has it (the service's own wording is English)."""
    field, sep, rest = exc.message.partition(": ")
    text = rest if sep and " " not in field else exc.message
    return language.gettext(text[:1].upper() + text[1:])


@router.post("/bookings/{ref}/reschedule")
def reschedule(request: Request, ref: str, form: Form = Depends(form_data)) -> Response:
    def change(session: Session, access: Access, booking: Booking) -> None:
        start = _time(_one(form, "start"))
        if start is None:
            raise TimeslotUnavailable()
        config = access.require_configuration()
        end = start + duration_seconds(read_document(config))
        move = validate_model(MoveBooking, {"start_time": start, "end_time": end})
        service.reschedule_booking(session, access, booking.id, move)

    return _manage_change(request, ref, form, "rescheduling", change)


@router.post("/bookings/{ref}/cancel")
def cancel(request: Request, ref: str, form: Form = Depends(form_data)) -> Response:
    def change(session: Session, access: Access, booking: Booking) -> None:
        body = {"cancellation_reason": _one(form, "reason")}
        service.cancel_booking(session, access, booking.id, validate_model(CancelBooking, body))

    return _manage_change(request, ref, form, "cancellation", change)


# -- organizer confirmation ----------------------------------------------------------------------


def _organizer_page(
    request: Request,
    session: Session,
    booking: Booking,
    config: Configuration,
    ref: str,
    *,
    action: str = "",
    done: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    zone = organizer_timezone(read_document(config))
    context = _base(request, session, config, zone)
    context.update(
        path=f"/scheduling/organizer-confirmation/{ref}",
        booking=views.booking_view(booking, config, zone, context["clock"], context["language"]),
        action=action if action in {"confirm", "decline"} else "",
        done=done,
        error=error,
    )
    return render("organizer.html", context, status)


@router.api_route("/scheduling/organizer-confirmation/{ref}", methods=["GET", "HEAD"])
def organizer_page(request: Request, ref: str) -> Response:
    query = request.query_params
    with get_db(request).session(write=False) as session:
        booking, config = booking_by_ref(session, ref, ORGANIZER)
        done = query.get("done", "")
        return _organizer_page(
            request,
            session,
            booking,
            config,
            ref,
            action=query.get("action", ""),
            done=done if done in {"confirmed", "declined"} else "",
        )


@router.post("/scheduling/organizer-confirmation/{ref}")
def organizer_decision(request: Request, ref: str, form: Form = Depends(form_data)) -> Response:
    same_origin(request)
    action = _one(form, "action")
    if action not in {"confirm", "decline"}:
        raise InvalidRequest(N_("Choose confirm or decline."))
    db = get_db(request)
    try:
        with db.session() as session:
            booking, config = booking_by_ref(session, ref, ORGANIZER)
            parts = decode_booking_ref(ref)
            assert parts is not None  # booking_by_ref has just read it
            body = {
                "salt": parts.salt,
                "status": "confirmed" if action == "confirm" else "cancelled",
                "cancellation_reason": _one(form, "reason"),
            }
            decision = validate_model(DecideBooking, body)
            service.confirm_booking(session, Access(config, PUBLIC), booking.id, decision)
    except (InvalidRequest, Conflict) as exc:
        with db.session(write=False) as session:
            booking, config = booking_by_ref(session, ref, ORGANIZER)
            return _organizer_page(
                request,
                session,
                booking,
                config,
                ref,
                error=problem_text(exc, page_language(request)),
                status=exc.status_code,
            )
    done = "confirmed" if action == "confirm" else "declined"
    return redirect(link(f"/scheduling/organizer-confirmation/{ref}", done=done))

"""The hosted pages in the guest's language, chosen by the browser's Accept-Language, over
real HTTP: German, French and Spanish strings and dates, English for anything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from slotwise.i18n.languages import negotiate
from slotwise.web.formats import clock_for
from tests.support.scheduling import future_hour

# What each language's pages say (a few strings of each page state).
WORDS = {
    "de": {
        "book": "Zeit wählen",
        "minutes": "30 Minuten",
        "form": "Ihre Angaben",
        "submit": "Diesen Termin buchen",
        "booked": "Ihr Termin ist gebucht",
        "cancel": "Buchung stornieren",
        "calendar": "Zum Kalender hinzufügen",
        "cancelled": "Ihre Buchung wurde storniert.",
        "missing": "Seite nicht gefunden",
        "off_grid": "Diese Zeit wird auf dieser Seite nicht angeboten.",
        "footer": "Terminplanung mit Slotwise",
    },
    "fr": {
        "book": "Choisissez un créneau",
        "minutes": "30 minutes",
        "form": "Vos coordonnées",
        "submit": "Réserver ce créneau",
        "booked": "C’est réservé",
        "cancel": "Annuler la réservation",
        "calendar": "Ajouter au calendrier",
        "cancelled": "Votre réservation a été annulée.",
        "missing": "Page introuvable",
        "off_grid": "Ce créneau ne fait pas partie de ceux proposés ici.",
        "footer": "Planification par Slotwise",
    },
    "es": {
        "book": "Elija una hora",
        "minutes": "30 minutos",
        "form": "Sus datos",
        "submit": "Reservar esta hora",
        "booked": "Reserva realizada",
        "cancel": "Cancelar la reserva",
        "calendar": "Añadir al calendario",
        "cancelled": "Su reserva se ha cancelado.",
        "missing": "Página no encontrada",
        "off_grid": "Esa hora no es una de las que ofrece esta página.",
        "footer": "Agenda con Slotwise",
    },
}
HEADERS = {"de": "de-AT,de;q=0.9,en;q=0.5", "fr": "fr-FR,fr;q=0.9", "es": "es-ES,es;q=0.8"}


def _page(response: httpx.Response, code: str, status: int = 200) -> str:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-language"] == code
    assert "accept-language" in response.headers["vary"].lower()
    assert f'<html lang="{code}">' in response.text
    return response.text


def _guest_language(db: Database) -> str:
    with db.session(write=False) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    [created] = [m for m in rows if m.trigger == "booking.created"]
    return str(created.payload["booking_info"]["guest_language"])


@pytest.mark.parametrize("code", ["de", "fr", "es"])
def test_every_page_state_in_the_browser_language(
    web: httpx.Client, db: Database, make_page: Callable[..., Any], code: str
) -> None:
    words = WORDS[code]
    make_page(slug=f"talk-{code}")
    path = f"/book/talk-{code}"
    headers = {"Accept-Language": HEADERS[code]}
    start = future_hour(2, 10)
    language = negotiate(HEADERS[code])

    page = _page(web.get(path, params={"tz": "UTC"}, headers=headers), code)
    assert words["book"] in page and words["minutes"] in page and words["footer"] in page
    day = datetime.fromtimestamp(start, UTC).date()
    guest_clock = clock_for(HEADERS[code], "", clock.now(), "UTC")
    assert guest_clock.day(day) in page  # the day headings in the guest's words
    assert "Pick a time" not in page

    form = _page(web.get(path, params={"tz": "UTC", "start": start}, headers=headers), code)
    assert words["form"] in form and words["submit"] in form
    assert guest_clock.when(start, start + 1800, "UTC") in form

    gone = _page(web.get(path, params={"tz": "UTC", "start": start + 7}, headers=headers), code)
    assert words["off_grid"] in gone

    data = {"start": str(start), "tz": "UTC", "guest_name": "Grace", "guest_email": "g@x.org"}
    booked = web.post(path, data=data, headers=headers)
    assert booked.status_code == 303, booked.text[:500]
    manage = urlsplit(booked.headers["location"])
    # The guest's emails will speak the page's language (de-AT keeps its region's dates).
    assert _guest_language(db) == language.tag
    shown = _page(web.get(f"{manage.path}?{manage.query}", headers=headers), code)
    assert words["booked"] in shown and words["cancel"] in shown
    assert words["calendar"] in shown

    cancelled = web.post(f"{manage.path}/cancel", data={"tz": "UTC"}, headers=headers)
    assert cancelled.status_code == 303
    done = _page(web.get(cancelled.headers["location"], headers=headers), code)
    assert words["cancelled"] in done

    missing = _page(web.get("/book/no-such-page", headers=headers), code, 404)
    assert words["missing"] in missing


def test_unknown_and_absent_languages_read_english(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="talk-en")
    for header in ("ja-JP,ja;q=0.9", "", "*", "de;q=0"):
        page = _page(web.get("/book/talk-en", headers={"Accept-Language": header}), "en")
        assert "Pick a time" in page and "30 minutes" in page
    assert "Pick a time" in _page(web.get("/book/talk-en"), "en")
    # The API stays English whatever the browser prefers.
    api_404 = web.get("/v3/no-such-route", headers={"Accept-Language": "de"})
    assert api_404.status_code == 404 and "application/json" in api_404.headers["content-type"]


def test_page_errors_raised_by_the_pages_are_translated(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="talk-x")
    headers = {"Accept-Language": "de", "Origin": "https://elsewhere.example"}
    refused = _page(web.post("/book/talk-x", data={"start": "1"}, headers=headers), "de", 403)
    assert "Nicht erlaubt" in refused
    assert "Dieses Formular wurde von einer anderen Website gesendet." in refused
    broken = web.post(
        "/book/talk-x",
        content=b"guest_name=%ff",
        headers={"Accept-Language": "es", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "No se ha podido leer el formulario." in _page(broken, "es", 400)


def test_request_and_organizer_confirmation_in_each_reader_language(
    web: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    make_page(slug="ask-fr", event_booking={"booking_type": "organizer-confirmation"})
    start = future_hour(2, 10)
    data = {"start": str(start), "tz": "UTC", "guest_name": "Grace", "guest_email": "g@x.org"}
    sent = web.post("/book/ask-fr", data=data, headers={"Accept-Language": "fr-BE"})
    page = _page(sent, "fr")
    assert "Demande envoyée" in page and "gérer ma réservation" in page
    with db.session(write=False) as session:
        [pending] = session.scalars(
            select(OutboxMessage).where(OutboxMessage.trigger == "booking.pending")
        ).all()
    assert pending.payload["booking_info"]["guest_language"] == "fr-BE"
    url = urlsplit(pending.payload["booking_info"]["host_confirmation_url"])
    # The organizer's browser speaks Spanish: their page does too.
    organizer = _page(web.get(url.path, headers={"Accept-Language": "es"}), "es")
    assert "Solicitud de reserva" in organizer and "Confirmar la reserva" in organizer
    assert "Rechazar la reserva" in organizer


def test_form_problems_name_the_fields_in_the_guest_language(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="check-de")
    start = future_hour(2, 10)
    data = {"start": str(start), "tz": "UTC", "guest_name": "", "guest_email": "g@x.org"}
    headers = {"Accept-Language": "de-DE"}
    nameless = _page(web.post("/book/check-de", data=data, headers=headers), "de", 400)
    assert "Ihr Name: ist erforderlich" in nameless
    data.update(guest_name="Grace", guest_email="nope")
    bad = _page(web.post("/book/check-de", data=data, headers=headers), "de", 400)
    assert "Ihre E-Mail-Adresse: bitte eine gültige E-Mail-Adresse angeben" in bad
    assert 'value="Grace"' in bad  # the form keeps what was typed

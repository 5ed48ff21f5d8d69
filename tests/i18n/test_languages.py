"""Choosing a reader's language: Accept-Language for pages, a booking's tag for emails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from slotwise.i18n import formats
from slotwise.i18n.languages import ENGLISH, Language, for_tag, negotiate


@pytest.mark.parametrize(
    ("header", "code", "locale"),
    [
        (None, "en", "en"),
        ("", "en", "en"),
        ("de", "de", "de"),
        ("de-AT", "de", "de_AT"),  # the catalog of its language, the dates of its region
        ("de-at", "de", "de_AT"),
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr", "fr_CA"),
        ("es-MX", "es", "es_MX"),
        ("en-US,en;q=0.9", "en", "en_US"),
        ("ja-JP,ja;q=0.9", "en", "en"),  # no Japanese catalog: English
        ("ja-JP,ja;q=0.9,de;q=0.3", "de", "de"),  # the first language that has one
        ("pt-BR, es;q=0.8, fr;q=0.9", "fr", "fr"),  # by q, not by position
        ("es;q=0.5, de;q=0.5", "es", "es"),  # equal q: the earlier one
        ("de;q=0, fr;q=0.1", "fr", "fr"),  # q=0 is "not acceptable"
        ("*", "en", "en"),
        ("*;q=1, de;q=0.2", "de", "de"),
        ("de;q=abc, es", "es", "es"),  # a malformed q drops its range only
        ("de;q=2, es", "es", "es"),
        ("x-klingon, zz-ZZ, fr", "fr", "fr"),
        ("de-XX", "de", "de"),  # a region Babel does not know: the language's own dates
        ("<script>, de", "de", "de"),
        (",,;;q=,", "en", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, code: str, locale: str) -> None:
    assert negotiate(header) == Language(code, locale)


def test_hostile_headers_cost_bounded_work() -> None:
    assert negotiate("xx," * 100_000 + "de") == ENGLISH  # German is past what is read
    assert negotiate("de-" + "A" * 100_000) == Language("de", "de")
    assert negotiate("\x00\ud800, fr") == Language("fr", "fr")


@pytest.mark.parametrize(
    ("tag", "code", "locale"),
    [
        ("de", "de", "de"),
        ("fr-CH", "fr", "fr_CH"),
        ("es_ES", "es", "es_ES"),
        ("en", "en", "en"),
        # No catalog: English strings, but the dates still in the reader's own language.
        ("pt-BR", "en", "pt_BR"),
        ("zz", "en", "en"),
        ("", "en", "en"),
        (None, "en", "en"),
        (7, "en", "en"),
    ],
)
def test_email_language_of_a_tag(tag: object, code: str, locale: str) -> None:
    assert for_tag(tag) == Language(code, locale)


def test_dates_and_times_per_locale() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 3, 9, 0, tzinfo=berlin)
    end = datetime(2026, 3, 3, 9, 30, tzinfo=berlin)
    expected = {
        "en": "Tuesday 3 March 2026, 09:00–09:30",
        "de": "Dienstag, 3. März 2026, 09:00–09:30",
        "fr": "mardi 3 mars 2026, 09:00–09:30",
        "es": "martes, 3 de marzo de 2026, 9:00–9:30",
    }
    for header, text in expected.items():
        assert formats.span_label(start, end, negotiate(header)) == text
    # A region's own clock: Mexican Spanish writes 12-hour times.
    assert "a.m." in formats.time_label(start, negotiate("es-MX")).replace("\u202f", " ")

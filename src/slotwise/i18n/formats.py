"""Dates and times in emails, written for their reader through Babel's CLDR data.

English keeps Slotwise's own form ("Tuesday 3 March 2026, 09:00"); every other locale gets
its CLDR patterns ("Dienstag, 3. März 2026, 09:00", "mardi 3 mars 2026, 09:00"). The
moments given are aware datetimes already in the zone they are to be read in. (The hosted
pages write theirs with the guest's own clock, slotwise.web.formats.)
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time

from slotwise.i18n.languages import Language


def _english(language: Language) -> bool:
    return language.locale.lower().startswith("en")


def date_label(day: date, language: Language) -> str:
    """A day with its weekday and year: 'Tuesday 3 March 2026', 'martes, 3 de marzo de 2026'."""
    if _english(language):
        return f"{day:%A} {day.day} {day:%B} {day.year}"
    return format_date(day, "full", locale=language.locale)


def time_label(moment: datetime, language: Language) -> str:
    """A time of day: '09:00', '9:00' (es), '9:00 a.m.' (es-MX)."""
    if _english(language):
        return f"{moment:%H:%M}"
    return format_time(moment, "short", locale=language.locale)


def moment_label(moment: datetime, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00'."""
    return f"{date_label(moment.date(), language)}, {time_label(moment, language)}"


def span_label(start: datetime, end: datetime, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00–09:30' (the end's day is the start's for a booking)."""
    return f"{moment_label(start, language)}–{time_label(end, language)}"

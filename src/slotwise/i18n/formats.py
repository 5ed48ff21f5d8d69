"""Dates and times written for a reader, through Babel's CLDR data.

English keeps Slotwise's own form ("Tuesday 3 March 2026, 09:00"); every other locale gets
its CLDR patterns ("Dienstag, 3. März 2026, 09:00", "mardi 3 mars 2026, 09:00"). The
moments given are aware datetimes already in the zone they are to be read in.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_time

from slotwise.i18n.languages import Language


def _english(language: Language) -> bool:
    return language.locale.lower().startswith("en")


# The year of a CLDR date pattern and what joins it to the day: " y", " 'de' y", ", y".
_YEAR = re.compile(r"[\s,.]*(?:'[^']*'\s*)?y+")


@functools.cache
def _without_year(locale: str) -> str:
    """The locale's full date pattern (weekday and month written out) without the year.

    CLDR has no year-less full pattern, and Babel's skeleton matching abbreviates the
    weekday, so the year is cut from the full one: 'EEEE, d. MMMM y' → 'EEEE, d. MMMM'.
    """
    return _YEAR.sub("", Locale.parse(locale).date_formats["full"].pattern, count=1).strip()


def day_label(day: date, language: Language) -> str:
    """A day without its year: 'Tuesday 3 March', 'Dienstag, 3. März'."""
    if _english(language):
        return f"{day:%A} {day.day} {day:%B}"
    return format_date(day, _without_year(language.locale), locale=language.locale)


def date_label(day: date, language: Language) -> str:
    """A day with its year: 'Tuesday 3 March 2026', 'martes, 3 de marzo de 2026'."""
    if _english(language):
        return f"{day_label(day, language)} {day.year}"
    return format_date(day, "full", locale=language.locale)


def time_label(moment: datetime, language: Language) -> str:
    """A time of day: '09:00', '9:00' (es)."""
    if _english(language):
        return f"{moment:%H:%M}"
    return format_time(moment, "short", locale=language.locale)


def moment_label(moment: datetime, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00'."""
    return f"{date_label(moment.date(), language)}, {time_label(moment, language)}"


def span_label(start: datetime, end: datetime, language: Language) -> str:
    """'Tuesday 3 March 2026, 09:00–09:30' (the end's day is the start's for a booking)."""
    return f"{moment_label(start, language)}–{time_label(end, language)}"

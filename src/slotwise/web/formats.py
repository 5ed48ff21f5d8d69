"""Dates and times in the guest's clock: their locale's patterns, 12- or 24-hour, their zone.

The locale here is only for formatting (CLDR data through Babel), so it keeps the region the
browser asked for: en-US reads "2:30 PM", en-GB "14:30", de-DE "14:30", ja-JP "14:30". The
page's language (its strings) is negotiated separately. Every timestamp stays UTC epoch seconds
until one of these functions turns it into text in a named IANA zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time

from slotwise.availability import zones
from slotwise.i18n.languages import preferred_tags

DEFAULT_LOCALE = "en_US"


# The year of a CLDR date pattern, with the literal or comma that joins it to the rest:
# "EEEE, MMMM d, y", "EEEE, d. MMMM y", "EEEE, d 'de' MMMM 'de' y", "y年M月d日EEEE".
_YEAR = re.compile(r"(\s*'[^']*')?,?\s*y+(?:[年년]|\s*'г'\.?)?\s*")


def _without_year(pattern: str) -> str:
    return _YEAR.sub(" ", pattern).strip(" ,")


def _parse(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def locale_from_header(header: str | None) -> Locale:
    """The first locale Babel knows among Accept-Language's tags, most preferred first (the
    tags as `i18n.languages` reads them for the page's language)."""
    for tag in preferred_tags(header):
        found = _parse(tag)
        if found is not None:
            return found
    return Locale.parse(DEFAULT_LOCALE)


def uses_12_hour(locale: Locale) -> bool:
    """Whether the locale's own short time pattern has an AM/PM hour ("h:mm a")."""
    pattern = locale.time_formats["short"].pattern
    return "h" in pattern or "K" in pattern


@dataclass(frozen=True)
class Clock:
    """How one guest reads times: a locale, 12- or 24-hour, and today's year."""

    locale: Locale
    hour12: bool
    this_year: int

    @property
    def tag(self) -> str:
        """The BCP 47 tag for the browser's Intl API ("en-US")."""
        return "-".join(p for p in (self.locale.language, self.locale.territory) if p)

    def time(self, ts: int, zone: str) -> str:
        moment = datetime.fromtimestamp(ts, zones.zone(zone))
        return format_time(moment, "h:mm a" if self.hour12 else "HH:mm", locale=self.locale)

    def day(self, day: date) -> str:
        """The weekday and date ("Friday, December 4"), with the year only when it is not
        this one ("Monday, January 4, 2027")."""
        pattern = self.locale.date_formats["full"].pattern
        if day.year == self.this_year:
            pattern = _without_year(pattern)
        return format_date(day, pattern, locale=self.locale)

    def month(self, day: date) -> str:
        return format_skeleton("yMMMM", day, locale=self.locale)

    def moment(self, ts: int, zone: str) -> str:
        """'Tuesday, March 3, 2:30 PM'."""
        local = datetime.fromtimestamp(ts, zones.zone(zone))
        return f"{self.day(local.date())}, {self.time(ts, zone)}"

    def when(self, start: int, end: int, zone: str) -> str:
        """'Tuesday, March 3, 2:30 PM – 3:00 PM'."""
        return f"{self.moment(start, zone)} – {self.time(end, zone)}"


def clock_for(header: str | None, requested: str | None, now: int, zone: str) -> Clock:
    """The guest's clock: `requested` ("12" / "24", from the page's switch) wins over the
    locale's habit."""
    locale = locale_from_header(header)
    hour12 = {"12": True, "24": False}.get(requested or "", uses_12_hour(locale))
    this_year = datetime.fromtimestamp(now, zones.zone(zone)).year
    return Clock(locale, hour12, this_year)

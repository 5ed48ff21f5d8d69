"""Which language a reader gets: negotiated from Accept-Language for pages, from a
booking's language tag for emails.

A `Language` is two things: the catalog its strings come from (one of `LANGUAGES`) and the
Babel locale its dates and times are written in (the reader's own region when Babel knows
it: de-AT reads German strings and Austrian dates).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from slotwise.i18n.catalogs import LANGUAGES, SOURCE_LANGUAGE, translations

# A hostile or broken header costs no more than this much parsing.
MAX_HEADER_CHARS = 1000
MAX_RANGES = 20


@dataclass(frozen=True)
class Language:
    code: str  # the catalog: one of LANGUAGES
    locale: str  # the Babel locale of dates and times, "de_AT"

    @property
    def tag(self) -> str:
        """The locale as a language tag, `de-AT`: what a booking stores as its email language."""
        return self.locale.replace("_", "-")

    def gettext(self, message: str) -> str:
        return translations(self.code).gettext(message)


ENGLISH = Language(SOURCE_LANGUAGE, SOURCE_LANGUAGE)


def _babel_locale(tag: str) -> str | None:
    """Babel's name for a language tag (`de-AT` → `de_AT`), None if Babel does not know it."""
    try:
        return str(Locale.parse(tag.replace("_", "-"), sep="-"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _base(tag: str) -> str:
    return tag.replace("_", "-").split("-", 1)[0].lower()


def for_tag(tag: object) -> Language:
    """The language of one tag, as a booking's `email_language`: its catalog if there is one
    (else English), and its dates in the tag's own locale whenever Babel knows it."""
    if not isinstance(tag, str) or not tag.strip():
        return ENGLISH
    tag = tag.strip()[:64]
    base = _base(tag)
    code = base if base in LANGUAGES else SOURCE_LANGUAGE
    locale = _babel_locale(tag) or _babel_locale(base) or code
    return Language(code, locale)


def _ranges(header: str) -> list[tuple[float, int, str]]:
    """(q, position, tag) of each acceptable range; q=0, malformed q and bad tags are left out."""
    found = []
    for position, item in enumerate(header[:MAX_HEADER_CHARS].split(",")[:MAX_RANGES]):
        tag, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = -1.0
        if tag and 0 < q <= 1 and all(c.isalnum() or c in "-_*" for c in tag):
            found.append((q, position, tag))
    return found


def preferred_tags(header: str | None) -> list[str]:
    """The language tags of an Accept-Language header, most preferred first (highest q, then
    earliest), without `*`; bounded however long the header is."""
    ranked = sorted(_ranges(header or ""), key=lambda r: (-r[0], r[1]))
    return [tag for _, _, tag in ranked if tag != "*"]


def negotiate(header: str | None) -> Language:
    """The page language for an Accept-Language header (RFC 9110 §12.5.4).

    The most preferred range (highest q, then earliest) whose primary language has a
    catalog wins: `de-AT` gets German with Austrian dates, `pt-BR, fr;q=0.5` French. A header
    naming none of them (or `*`, or nothing) gets English.
    """
    for tag in preferred_tags(header):
        base = _base(tag)
        if base in LANGUAGES:
            return Language(base, _babel_locale(tag) or base)
    return ENGLISH

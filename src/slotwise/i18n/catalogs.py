"""The gettext catalogs, compiled from their .po files when first used.

The .po files (catalogs/<language>/LC_MESSAGES/messages.po) are the only form kept in the
repository: each process compiles the ones it needs in memory on first use, so a clean
clone, an installed wheel and a test run all read the same text with no build step and no
stale .mo file. English is the msgids themselves.
"""

from __future__ import annotations

import functools
import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# The languages with a catalog, English (the source) first.
LANGUAGES = (SOURCE_LANGUAGE, "de", "fr", "es")


def catalog_path(language: str) -> Path:
    return CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of one of `LANGUAGES`; English (or any other code) is the msgids."""
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they read as English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Mark `message` for the catalogs where it is written; it is translated where shown.

    Used for text kept in constants or raised as an error message, which is English for the
    API and read through the guest's catalog by the page that shows it.
    """
    return message

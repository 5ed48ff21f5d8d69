"""The catalogs against the source: every marked string of the Python modules and the page
templates has a translation in every language, and each translation keeps the placeholders
and markup the code fills in. A new string that nobody translated fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from slotwise.i18n.catalogs import LANGUAGES, SOURCE_LANGUAGE, catalog_path, translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
TAG = re.compile(r"</?\w+(?:\s+[\w-]+=\"[^\"]*\")*\s*/?>")


def source_msgids() -> set[str | tuple[str, str]]:
    """What `scripts/catalogs` extracts: babel.cfg's map over src/ with its keywords."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "src"), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalog(code: str) -> Catalog:
    with catalog_path(code).open("rb") as source:
        return read_po(source, locale=code)


def entries(code: str) -> list[Message]:
    return [m for m in catalog(code) if m.id]


def strings(message: Message) -> list[str]:
    return (
        list(message.string) if isinstance(message.string, tuple) else [str(message.string or "")]
    )


def test_the_source_has_strings_to_translate() -> None:
    found = source_msgids()
    # Pages, error pages and emails all mark theirs.
    assert {"Pick a time", "Page not found", "Booking confirmed: %(title)s"} <= found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_of_the_source_is_translated(code: str) -> None:
    known = {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries(code)}
    missing = sorted(map(str, source_msgids() - known))
    assert not missing, f"not in the {code} catalog (run scripts/catalogs): {missing}"
    untranslated = [m.id for m in entries(code) if m.fuzzy or not all(strings(m))]
    assert not untranslated, f"untranslated or fuzzy in {code}: {untranslated}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders_and_markup(code: str) -> None:
    for message in entries(code):
        # A plural's forms are held to the plural msgid (the singular may spell out "one").
        source = message.id if isinstance(message.id, str) else message.id[-1]
        wanted = sorted(PLACEHOLDER.findall(source)), sorted(TAG.findall(source))
        for text in strings(message):
            found = sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))
            assert found == wanted, (code, message.id, text)
    # Babel's own checks (python-format flags, plural counts) find nothing either.
    problems = [(m.id, errors) for m, errors in catalog(code).check()]
    assert not problems, problems


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_format_with_the_values_the_code_passes(code: str) -> None:
    gettext = translations(code)
    for message in entries(code):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        names = {name for name, _ in PLACEHOLDER.findall(ids[0]) if name}
        values = {name: f"<{name}>" for name in names} | {"num": 7}
        if isinstance(message.id, str):
            translated = gettext.gettext(message.id)
        else:
            translated = gettext.ngettext(ids[0], ids[1], 7)
        assert translated != ids[0] or translated == message.string, (code, message.id)
        text = translated % values  # no KeyError, no stray % sign
        for name in names - {"num"}:
            assert f"<{name}>" in text


def test_english_is_the_source_itself() -> None:
    english = translations(SOURCE_LANGUAGE)
    assert english.gettext("Pick a time") == "Pick a time"
    assert translations("de").gettext("Pick a time") == "Zeit wählen"
    # An unknown code reads English rather than failing.
    assert translations("xx").gettext("Pick a time") == "Pick a time"

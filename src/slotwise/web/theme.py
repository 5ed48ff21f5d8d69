"""A configuration's `appearance` as the pages wear it: colour, company name, logo, labels.

The colour reaches the page as one small inline stylesheet of custom properties, allowed by
its hash in the Content-Security-Policy (render.py): no stylesheet is built per request from
text a client sent, and nothing loads from another host. Only `#rgb` / `#rrggbb` is read;
anything else keeps Slotwise's own colours. The text colour on the accent, and the accent as
text on white, are chosen for WCAG AA contrast (4.5:1) whatever colour was configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slotwise.db.models import Configuration
from slotwise.documents import read_document
from slotwise.web.logo import logo_data_url

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
AA = 4.5
MAX_TEXT = 200  # characters of a company name or label shown


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{v:02x}" for v in rgb)


WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


def readable_on_white(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The colour, darkened just enough to read as text on white."""
    shade = rgb
    for step in range(1, 21):
        if contrast(shade, WHITE) >= AA:
            return shade
        shade = tuple(round(v * (1 - step / 20)) for v in rgb)  # type: ignore[assignment]
    return shade


@dataclass(frozen=True)
class Theme:
    color: str  # "" for Slotwise's own
    company: str
    submit_label: str
    thank_you: str
    logo_url: str = ""  # as configured

    @property
    def logo(self) -> str:
        """The logo as a data: URL, or "" for none. Fetched (or read from the cache) only when
        a template shows it: pages render outside write transactions, so a slow logo host
        never holds a lock."""
        return logo_data_url(self.logo_url) if self.logo_url else ""

    @property
    def css(self) -> str:
        """The custom properties the stylesheet reads, or "" for none."""
        if not self.color:
            return ""
        rgb = _rgb(self.color)
        ink = WHITE if contrast(rgb, WHITE) >= contrast(rgb, BLACK) else BLACK
        text = readable_on_white(rgb)
        return f":root{{--brand:{_hex(rgb)};--brand-ink:{_hex(ink)};--accent:{_hex(text)}}}"


def _text(appearance: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = appearance.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_TEXT]
    return ""


def theme_of(config: Configuration) -> Theme:
    # v3 names first, then a v2 page's (pages/mapping.py keeps those under their own names).
    appearance = read_document(config).appearance or {}
    color = _text(appearance, "color")
    return Theme(
        color=color if _HEX.fullmatch(color) else "",
        company=_text(appearance, "company_name"),
        submit_label=_text(appearance, "submit_button_label", "submit_text"),
        thank_you=_text(appearance, "thank_you_message", "thank_you_text"),
        logo_url=_url(appearance, "company_logo_url", "logo"),
    )


def _url(appearance: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = appearance.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""

"""The hosted HTML face: booking pages, the manage-booking page, organizer confirmation.

Rendered with Jinja2 (autoescaped) by the same domain services as the JSON API; failures
render as an HTML page, never as the JSON envelope.
"""

from __future__ import annotations

from slotwise.web.app import install

__all__ = ["install"]

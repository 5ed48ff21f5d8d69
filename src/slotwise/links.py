"""Links to the hosted pages, built from the server's public URL (Settings.public_url).

When a configuration has no URL template of its own, booking payloads and emails link to the
hosted pages: {public_url}/bookings/{booking_ref} to reschedule or cancel (the guest's ref), and
{public_url}/scheduling/organizer-confirmation/{ref} to confirm a pending booking (the
organizer's ref, a different secret: see slotwise.capabilities). A template, when set, wins.

The public URL is configuration, the same in every process, so the layers that assemble the
process (the API app factory, the worker) set it once from Settings, like the outbound policy;
payloads built in a request, a provider sync or a worker job then link alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from slotwise.config import Settings

BOOKING_PAGE = "/book/"
MANAGE_PAGE = "/bookings/"
# The booking page `slotwise demo` makes (/book/demo), which the home page links to.
DEMO_SLUG = "demo"
ORGANIZER_PAGE = "/scheduling/organizer-confirmation/"


@dataclass(frozen=True)
class HostedLinks:
    public_url: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> HostedLinks:
        return cls(settings.public_url.rstrip("/"))

    def _page(self, page: str, ref: str) -> str | None:
        return f"{self.public_url}{page}{ref}" if self.public_url else None

    def manage(self, template: object, ref: str) -> str | None:
        """The guest's reschedule/cancel link: `template` with ":booking_ref" filled in, else
        the hosted manage page (None when no public URL is known)."""
        if isinstance(template, str) and template:
            return template.replace(":booking_ref", ref)
        return self._page(MANAGE_PAGE, ref)

    def organizer_confirmation(self, template: object, ref: str) -> str | None:
        """The organizer's confirmation link, like `manage` for the confirmation page."""
        if isinstance(template, str) and template:
            return template.replace(":booking_ref", ref)
        return self._page(ORGANIZER_PAGE, ref)


# No public URL until the process is assembled: links stay null, as before configuration.
_current = HostedLinks(None)


def configure(links: HostedLinks) -> None:
    """Set the process's links (from Settings, when the app or a worker starts)."""
    global _current
    _current = links


def current() -> HostedLinks:
    return _current

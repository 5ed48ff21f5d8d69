"""Email over SMTP: composing messages and sending them (one attempt per call).

Emails are deliveries like webhooks: composed when the notification is fanned out, stored on
the delivery row, and sent (and retried) by the worker, so an SMTP outage delays mail but
never loses it.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from slotwise.config import Settings
from slotwise.webhooks.sender import AttemptResult


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def compose(
    settings: Settings,
    to: list[str],
    subject: str,
    text: str,
    *,
    ics: str | None = None,
    ics_method: str = "REQUEST",
) -> dict[str, Any]:
    """A message ready to store on a delivery row: {"to": [...], "raw": RFC 5322 text}."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="slotwise")
    # Quoted-printable keeps the message 7-bit, so any SMTP server relays it unchanged.
    message.set_content(text, cte="quoted-printable")
    if ics is not None:
        # Attached as a file (what most mail programs offer to import) and inline as
        # text/calendar with METHOD, which calendar-aware clients show as an invitation.
        message.add_alternative(
            ics, subtype="calendar", params={"method": ics_method}, cte="quoted-printable"
        )
        message.add_attachment(
            ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": ics_method},
        )
    # CRLF line ends, as SMTP wants them (smtplib sends bytes as they are).
    return {"to": list(to), "raw": message.as_string(policy=SMTP_POLICY)}


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """Verifying TLS: the system's CAs, or only those of SLOTWISE_SMTP_CA_FILE when set."""
    return ssl.create_default_context(cafile=settings.smtp_ca_file)


def send(settings: Settings, message: dict[str, Any], *, timeout: float) -> AttemptResult:
    """One SMTP conversation; any failure is reported, never raised."""
    started = int(time.time() * 1000)
    clock_start = time.monotonic()

    def result(success: bool, error: str | None = None, code: int | None = None) -> AttemptResult:
        return AttemptResult(
            success=success,
            started_ms=started,
            duration_ms=int((time.monotonic() - clock_start) * 1000),
            status_code=code,
            error=error,
        )

    if not settings.smtp_host:
        return result(False, "SMTP is not configured (SLOTWISE_SMTP_HOST)")
    sender = parseaddr(settings.smtp_from)[1] or "no-reply@slotwise.local"
    try:
        smtp: smtplib.SMTP
        if settings.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=timeout,
                context=_tls_context(settings),
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with smtp:
            if settings.smtp_starttls and not settings.smtp_ssl:
                smtp.starttls(context=_tls_context(settings))
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            refused = smtp.sendmail(sender, list(message["to"]), message["raw"].encode())
    except smtplib.SMTPResponseException as exc:
        return result(False, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", exc.smtp_code)
    except (smtplib.SMTPException, OSError) as exc:
        return result(False, f"{type(exc).__name__}: {exc}")
    if refused:
        return result(False, f"recipients refused: {sorted(refused)}")
    return result(True, code=250)

"""SMTP with STARTTLS, implicit TLS and AUTH LOGIN/PLAIN, against a real aiosmtpd server that
uses a self-signed certificate made for the test (trusted through SLOTWISE_SMTP_CA_FILE)."""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from slotwise.config import Settings
from slotwise.notifications import email
from tests.notifications.smtp import Mailbox
from tests.support.server import free_port

USER, PASSWORD = "mailer", "s3cret pass"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(cert.pem, key.pem): a self-signed certificate for 127.0.0.1 and localhost."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slotwise test smtp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Logins:
    def __init__(self) -> None:
        self.mechanisms: list[str] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.mechanisms.append(mechanism)
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)


class ImplicitTlsController(Controller):
    """aiosmtpd counts only STARTTLS as TLS for its AUTH-needs-TLS rule, and warns whenever
    that rule is off. With implicit TLS the connection is encrypted from the first byte, so
    the warning names a risk this server does not have: it is silenced here, for this one
    message, where each connection's SMTP session is made (the suite turns warnings into
    errors)."""

    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", "Requiring AUTH while not requiring TLS", category=UserWarning
            )
            session: SMTP = super().factory()  # type: ignore[no-untyped-call]
        return session


class TlsSmtp:
    def __init__(self, certificate: tuple[Path, Path], *, implicit: bool, **kwargs: Any) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        self.mailbox = Mailbox()
        self.logins = Logins()
        self.port = free_port()
        # The server library only counts STARTTLS as TLS for its AUTH-needs-TLS rule, so with
        # implicit TLS (already encrypted from the first byte) that rule is turned off.
        tls: dict[str, Any] = (
            {"ssl_context": context, "auth_require_tls": False}
            if implicit
            else {"tls_context": context, "require_starttls": True}
        )
        controller = ImplicitTlsController if implicit else Controller
        self.controller = controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.logins,
            auth_required=True,
            **tls,
            **kwargs,
        )
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def servers(certificate: tuple[Path, Path]) -> Iterator[list[TlsSmtp]]:
    started: list[TlsSmtp] = []
    yield started
    for server in started:
        server.stop()


def settings_for(server: TlsSmtp, certificate: tuple[Path, Path], **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_username": USER,
        "smtp_password": PASSWORD,
        "smtp_ca_file": str(certificate[0]),
    }
    values.update(extra)
    return dataclasses.replace(Settings(), **values)


def message(settings: Settings) -> dict[str, Any]:
    return email.compose(settings, ["guest@example.com"], "Hello", "Over TLS.", ics="BEGIN:X")


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_tls_with_credentials(
    servers: list[TlsSmtp], certificate: tuple[Path, Path], implicit: bool, mechanism: str
) -> None:
    other = {"LOGIN": "PLAIN", "PLAIN": "LOGIN"}[mechanism]
    server = TlsSmtp(certificate, implicit=implicit, auth_exclude_mechanism=[other])
    servers.append(server)
    settings = settings_for(server, certificate, smtp_starttls=not implicit, smtp_ssl=implicit)
    result = email.send(settings, message(settings), timeout=10)
    assert result.success, result.error
    assert server.logins.mechanisms == [mechanism]
    [(to, received)] = server.mailbox.wait_for(1)
    assert to == ["guest@example.com"] and received["Subject"] == "Hello"


def test_wrong_password_is_a_failed_attempt(
    servers: list[TlsSmtp], certificate: tuple[Path, Path]
) -> None:
    server = TlsSmtp(certificate, implicit=False)
    servers.append(server)
    settings = settings_for(server, certificate, smtp_starttls=True, smtp_password="wrong")
    result = email.send(settings, message(settings), timeout=10)
    assert not result.success and result.status_code == 535
    assert server.mailbox.messages == []


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_untrusted_certificate_is_refused_by_default(
    servers: list[TlsSmtp], certificate: tuple[Path, Path], implicit: bool
) -> None:
    server = TlsSmtp(certificate, implicit=implicit)
    servers.append(server)
    settings = settings_for(
        server, certificate, smtp_starttls=not implicit, smtp_ssl=implicit, smtp_ca_file=None
    )
    result = email.send(settings, message(settings), timeout=10)
    assert not result.success
    assert result.error is not None and "CERTIFICATE_VERIFY_FAILED" in result.error
    assert server.logins.mechanisms == [] and server.mailbox.messages == []


def test_starttls_required_by_the_server_but_not_configured(
    servers: list[TlsSmtp], certificate: tuple[Path, Path]
) -> None:
    server = TlsSmtp(certificate, implicit=False)
    servers.append(server)
    settings = settings_for(server, certificate, smtp_starttls=False)
    result = email.send(settings, message(settings), timeout=10)
    assert not result.success and result.error
    assert server.mailbox.messages == []


def test_ca_file_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTWISE_SMTP_CA_FILE", "/etc/slotwise/smtp-ca.pem")
    assert Settings.from_env().smtp_ca_file == "/etc/slotwise/smtp-ca.pem"
    monkeypatch.delenv("SLOTWISE_SMTP_CA_FILE")
    assert Settings.from_env().smtp_ca_file is None

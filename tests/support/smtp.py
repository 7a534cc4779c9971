"""A real SMTP server on loopback (aiosmtpd), started by the test that needs it: STARTTLS with a
certificate the test trusts, sign-in with one user, every accepted message kept."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.live import free_port


@dataclass
class MailServer:
    port: int
    username: str
    password: str
    received: list[Message] = field(default_factory=list)

    def url(self, *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"smtp://{self.username}:{secret}@127.0.0.1:{self.port}?starttls=required"


class _Keep:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.server.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def mail_server(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    """STARTTLS and sign-in required; this process trusts the server's certificate
    (SSL_CERT_FILE), as a production host trusts its mail server's."""
    cert_file, key_file = _certificate(folder)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = MailServer(free_port(), "microbridge", "s3cret-pass")

    def authenticate(_server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = isinstance(data, LoginPassword) and (
            data.login.decode(), data.password.decode()) == (server.username, server.password)
        return AuthResult(success=good, handled=False)

    controller = Controller(
        _Keep(server), hostname="127.0.0.1", port=server.port, tls_context=context,
        require_starttls=True, authenticator=authenticate, auth_require_tls=True,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()

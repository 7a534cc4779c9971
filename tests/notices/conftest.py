"""A real SMTP server (aiosmtpd) on loopback, and settings that send mail to it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from config import mail
from config.mail import EmailStatus, OutgoingEmail
from config.settings import Settings

BASE_URL = "https://tool.example.edu"


@dataclass
class Mailbox:
    """What the server received; addresses in ``refuse`` are answered 550 at RCPT."""

    received: list[Message] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content: Any = envelope.original_content or envelope.content
        with self.lock:
            self.received.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    # Mail goes to the test's SMTP server (as a deployment's would); tasks run in-process even
    # in the Redis pass, and the tool says it lives at an https address.
    return settings.with_overrides(
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",  # type: ignore[attr-defined]
        smtp_from="Microbridge <no-reply@tool.example.edu>", base_url=BASE_URL, tasks_eager=True,
    )


def deliver_queued(db: DbSession) -> None:
    """Deliver what is still queued (a worker would); delivered rows are skipped."""
    db.expire_all()
    for email_id in db.scalars(
        select(OutgoingEmail.id).where(OutgoingEmail.status == EmailStatus.QUEUED.value)
    ).all():
        mail.deliver(email_id)
    db.expire_all()

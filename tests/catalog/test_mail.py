"""Outgoing email: written in the caller's transaction, delivered after commit, failures kept."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import mail, outbox
from config.mail import EmailStatus, OutgoingEmail, send_email
from config.settings import SettingError, SmtpConfig, load_settings, parse_smtp_url
from lti_tool.app import create_app

from .conftest import sign_in_as


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept or refuse one message."""

    def handle(self) -> None:
        server: Any = self.server
        self.wfile.write(b"220 test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.split(b" ")[0].split(b":")[0].strip().upper()
            if verb in {b"EHLO", b"HELO"}:
                self.wfile.write(b"250-test\r\n250 SIZE 100000\r\n")
            elif verb == b"MAIL":
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"RCPT":
                self.wfile.write(server.rcpt_reply)
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    data += self.rfile.readline()
                server.received.append(data[:-5])
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    server: Any = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []
    server.rcpt_reply = b"250 ok\r\n"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _smtp(server: Any) -> mail.SmtpTransport:
    return mail.SmtpTransport(SmtpConfig(host="127.0.0.1", port=server.server_address[1],
                                         starttls="off", timeout=5))


def _queued(db: Session, to: str = "x@example.org") -> int:
    email = OutgoingEmail(to_address=to, subject="Hello", body="Body http://x.example/a",
                          status=EmailStatus.QUEUED.value)
    db.add(email)
    db.commit()
    return email.id


def test_email_is_delivered_only_after_the_transaction_commits(app: Flask, db: Session) -> None:
    email = send_email(db, to="a@example.org", subject="Hi", body="Text")
    db.flush()
    assert email.status == "queued"
    db.commit()
    db.expire_all()
    row = db.get(OutgoingEmail, email.id)
    if app.extensions["microbridge"].settings.run_tasks_in_process:
        assert row is not None and row.status == "sent" and row.transport == "outbox"
    else:  # a worker delivers it; the row waits, queued
        assert row is not None and row.status == "queued"


def test_a_rolled_back_email_is_never_sent(app: Flask, db: Session) -> None:
    send_email(db, to="a@example.org", subject="Hi", body="Text")
    db.rollback()
    assert db.scalars(select(OutgoingEmail)).all() == []
    assert outbox.pending(db) == {}


def test_smtp_delivery_sends_the_message(app: Flask, db: Session, smtp_server: Any) -> None:
    email_id = _queued(db, "dee@example.org")
    assert mail.deliver(email_id, transport=_smtp(smtp_server)) is mail.Outcome.SENT
    [raw] = smtp_server.received
    message = message_from_bytes(raw)
    assert message["To"] == "dee@example.org" and message["Subject"] == "Hello"
    db.expire_all()
    row = db.get(OutgoingEmail, email_id)
    assert row is not None and row.status == "sent" and row.attempts == 1 and row.sent_at


def test_a_refused_recipient_is_recorded_as_failed(
    app: Flask, db: Session, smtp_server: Any
) -> None:
    smtp_server.rcpt_reply = b"550 no such user here\r\n"
    email_id = _queued(db)
    assert mail.deliver(email_id, transport=_smtp(smtp_server)) is mail.Outcome.FAILED
    db.expire_all()
    row = db.get(OutgoingEmail, email_id)
    assert row is not None and row.status == "failed" and row.attempts == 1
    assert "550" in row.error and "no such user" in row.error


def test_a_server_that_is_down_is_retried_then_failed(app: Flask, db: Session) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = mail.SmtpTransport(SmtpConfig(host="127.0.0.1", port=port, starttls="off",
                                         timeout=2))
    email_id = _queued(db)
    assert mail.deliver(email_id, transport=down) is mail.Outcome.RETRY
    db.expire_all()
    row = db.get(OutgoingEmail, email_id)
    assert row is not None and row.status == "queued" and row.attempts == 1
    assert "Could not talk to the mail server" in row.error
    assert mail.deliver(email_id, transport=down, final=True) is mail.Outcome.FAILED
    db.expire_all()
    row = db.get(OutgoingEmail, email_id)
    assert row is not None and row.status == "failed" and row.attempts == 2


def test_a_delivered_message_is_not_sent_twice(app: Flask, db: Session, smtp_server: Any) -> None:
    email_id = _queued(db)
    assert mail.deliver(email_id, transport=_smtp(smtp_server)) is mail.Outcome.SENT
    assert mail.deliver(email_id, transport=_smtp(smtp_server)) is mail.Outcome.SKIPPED
    assert len(smtp_server.received) == 1


def test_failed_invitation_is_shown_on_the_team_page(
    app: Flask, client: FlaskClient, db: Session, member: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        name = "smtp"

        def send(self, message: object) -> None:
            raise mail.DeliveryError("The mail server answered 554: relay denied",
                                     transient=False)

    monkeypatch.setattr(mail, "transport_for", lambda settings: Broken())
    sign_in_as(client, "employer", member.id)
    from .conftest import post

    post(client, "/employer/team/invite", {"email": "cy@harbor.example", "name": "Cy"})
    invited = db.scalars(select(OutgoingEmail)).one()
    if not app.extensions["microbridge"].settings.run_tasks_in_process:
        mail.deliver(invited.id)  # what the worker would do
    page = client.get("/employer/team")
    assert "Not delivered" in page.text and "relay denied" in page.text


def test_outbox_page_shows_messages_with_their_status(
    app: Flask, db: Session, settings: Any
) -> None:
    embedded = create_app(settings.with_overrides(redis_url="", smtp_url=""))
    try:
        email_id = _queued(db, "reader@example.org")
        mail.deliver(email_id, transport=mail.OutboxTransport())
        failed = _queued(db, "bad@example.org")
        row = db.get(OutgoingEmail, failed)
        assert row is not None
        row.status, row.error = "failed", "The mail server answered 550: unknown user"
        db.commit()
        page = embedded.test_client().get("/outbox")
        assert page.status_code == 200
        assert "reader@example.org" in page.text and "Delivered to the outbox" in page.text
        assert "Not delivered" in page.text and "550: unknown user" in page.text
        assert '<a href="http://x.example/a"' in page.text
    finally:
        embedded.extensions["microbridge"].dispose()


def test_outbox_page_is_hidden_outside_the_embedded_default(settings: Any) -> None:
    assert mail.outbox_visible(settings.with_overrides(redis_url="", smtp_url=""))
    assert not mail.outbox_visible(settings.with_overrides(redis_url="redis://x:6379/0"))
    assert not mail.outbox_visible(settings.with_overrides(redis_url="",
                                                           smtp_url="smtp://mail:25"))
    with_smtp = create_app(settings.with_overrides(smtp_url="smtp://127.0.0.1:2525"))
    try:
        assert with_smtp.test_client().get("/outbox").status_code == 404
    finally:
        with_smtp.extensions["microbridge"].dispose()


def test_smtp_url_parsing() -> None:
    cfg = parse_smtp_url("smtp://us%40er:p%2Fss@mail.example.org?starttls=required")
    assert (cfg.host, cfg.port, cfg.username, cfg.password, cfg.starttls) == (
        "mail.example.org", 587, "us@er", "p/ss", "required")
    tls = parse_smtp_url("smtps://mail.example.org")
    assert tls.implicit_tls and tls.port == 465
    for bad in ("http://mail", "smtp://", "smtp://h:notaport", "smtp://h?starttls=maybe"):
        with pytest.raises(SettingError):
            parse_smtp_url(bad)


def test_a_bad_smtp_url_stops_start_up(tmp_path: Any) -> None:
    with pytest.raises(SettingError):
        load_settings(environ={"MICROBRIDGE_SMTP_URL": "mail.example.org",
                               "MICROBRIDGE_INSTANCE_PATH": str(tmp_path)})


def test_the_task_delivers_and_the_sweep_requeues_lost_messages(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(mail, "enqueue", lambda email_id: sent.append(email_id))
    old = _queued(db)
    row = db.get(OutgoingEmail, old)
    assert row is not None
    from datetime import timedelta

    from config.database import utcnow

    row.created_at = utcnow() - timedelta(minutes=10)
    db.commit()
    fresh = _queued(db)
    assert mail.sweep_outgoing_email() == 1 and sent == [old]
    result = mail.deliver_email.apply(kwargs={"email_id": fresh})
    assert result.get() == "sent"
    db.expire_all()
    assert db.get(OutgoingEmail, fresh).status == "sent"  # type: ignore[union-attr]

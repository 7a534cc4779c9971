"""Outgoing email through an outbox table.

``send_email`` only writes a row in the caller's transaction. After that transaction commits,
a Celery task delivers the row: through SMTP when ``MICROBRIDGE_SMTP_URL`` is set; in a demo or
the tests without SMTP, into the local outbox, which ``/outbox`` shows so that a newcomer can
follow sign-in links. Anywhere else a message without a mail server fails with the reason (it
never counts as sent), and the admin page can retry it once SMTP is set. The row is the truth:
a message that cannot be delivered keeps its error and attempt count, and
``sweep_outgoing_email`` re-queues what a lost task left behind.
"""

from __future__ import annotations

import enum
import logging
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from sqlalchemy import Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import outbox, runtime
from config.celery_app import celery_app
from config.database import Base, CreatedMixin, UTCDateTime, transaction, utcnow
from config.settings import Settings, SmtpConfig

log = logging.getLogger(__name__)

CHANNEL = "mail"
CLAIM_TIMEOUT = timedelta(minutes=10)


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingEmail(CreatedMixin, Base):
    __tablename__ = "outgoing_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.QUEUED.value, index=True)
    error: Mapped[str] = mapped_column(Text, default="")
    """The last delivery error, in the words of the mail server or the network."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    transport: Mapped[str] = mapped_column(String(20), default="")
    """``smtp`` or ``outbox``: where the message went (or was last tried)."""
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    """The notice kind a person can turn off (config/notices.py); empty for sign-in mail."""
    institution_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The institution whose administrators see (and may retry) this message; None: only the
    operator (mail to an employer about several institutions, sign-in links)."""
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    """The signed one-click link for the List-Unsubscribe header (RFC 8058); empty: none."""

    @property
    def is_failed(self) -> bool:
        return self.status == EmailStatus.FAILED.value


def send_email(
    session: Session, *, to: str, subject: str, body: str, kind: str = "",
    institution_id: int | None = None, unsubscribe_url: str = "",
) -> OutgoingEmail:
    """Queue one plain-text email; it is delivered after the caller's transaction commits."""
    email = OutgoingEmail(
        to_address=to.strip(), subject=" ".join(subject.split())[:300], body=body,
        status=EmailStatus.QUEUED.value, kind=kind, institution_id=institution_id,
        unsubscribe_url=unsubscribe_url,
    )
    session.add(email)
    session.flush()
    outbox.queue_after_commit(session, CHANNEL, email.id)
    return email


def enqueue(email_id: int) -> None:
    """Hand one message to Celery; if the broker is down the sweep will find the row."""
    try:
        deliver_email.delay(email_id=email_id)
    except Exception:  # a lost enqueue only delays the email: the row stays queued
        log.warning("could not enqueue email %s; the sweep will retry", email_id, exc_info=True)


outbox.register(CHANNEL, enqueue)


class DeliveryError(Exception):
    """A message could not be delivered; ``transient`` says whether trying again may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None: ...


class OutboxTransport:
    """The embedded default: the database row is the delivered message, shown at /outbox."""

    name = "outbox"

    def send(self, message: EmailMessage) -> None:
        return None


class NoMailServer:
    """Production without ``MICROBRIDGE_SMTP_URL``: nothing can leave, so nothing is "sent"."""

    name = "none"

    def send(self, message: EmailMessage) -> None:
        raise DeliveryError(
            "No mail server is configured: set MICROBRIDGE_SMTP_URL, restart, then retry this "
            "message from the admin page (Mail).",
            transient=False,
        )


class SmtpTransport:
    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, message: EmailMessage) -> None:
        try:
            with self.connect() as client:
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"The mail server refused the recipient: {_describe(exc.recipients)}",
                transient=all(400 <= code < 500 for code in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(
                f"The mail server answered {exc.smtp_code}: {text}",
                transient=400 <= exc.smtp_code < 500,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"Could not talk to the mail server {self.config.host}:{self.config.port}: "
                f"{exc or type(exc).__name__}",
                transient=True,
            ) from exc

    def connect(self) -> smtplib.SMTP:
        """A signed-in connection, as delivery makes it (``microbridge check`` tries it too)."""
        cfg = self.config
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if cfg.implicit_tls:
            client = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            client.ehlo()
            if cfg.starttls != "off" and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif cfg.starttls == "required":
                client.close()
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
        if cfg.username:
            client.login(cfg.username, cfg.password)
        return client


def _describe(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{addr} ({code} {msg.decode(errors='replace')})" for addr, (code, msg) in recipients.items()
    )


def transport_for(settings: Settings) -> Transport:
    smtp = settings.smtp
    if smtp:
        return SmtpTransport(smtp)
    # The outbox counts as delivered only where someone can read it (and in the tests).
    return OutboxTransport() if settings.testing or outbox_visible(settings) else NoMailServer()


def missing_mail_server(settings: Settings, *, demo_flag: str = "--demo") -> str | None:
    """Why a process that delivers mail must not start, with the fix; None when it may."""
    if settings.smtp_url or settings.demo:
        return None
    return (
        "Set MICROBRIDGE_SMTP_URL (for example smtp://user:password@mail.example.org:587): "
        "without a mail server, employers' and curators' sign-in emails and every notification "
        "cannot leave Microbridge. Check it with `microbridge check`. To try Microbridge, run "
        f"`microbridge demo`; to run a demo anyway, add {demo_flag} (without Redis its emails "
        "are shown to anyone at /outbox; with Redis they fail, listed at /admin/mail)."
    )


def outbox_visible(settings: Settings) -> bool:
    """The outbox page shows working sign-in links to anyone, so only a demo (or the tests)
    in the embedded default without SMTP has it."""
    return (settings.demo or settings.testing) and settings.is_embedded and not settings.smtp_url


# Header lines may run to RFC 5322's 998 characters: folding a long unsubscribe URL (which has
# no spaces to fold at) would turn it into RFC 2047 encoded words no mail client can follow.
_POLICY = policy.SMTP.clone(max_line_length=998)


def build_message(email: OutgoingEmail, *, sender: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"mb{email.id}")
    if email.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe, which POSTs
        # "List-Unsubscribe=One-Click" to the signed link without a sign-in.
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.body)
    return message


def _built(email: OutgoingEmail, *, sender: str) -> EmailMessage | DeliveryError:
    try:
        return build_message(email, sender=sender)
    except (ValueError, TypeError) as exc:  # e.g. a line break in a header
        return DeliveryError(f"The message could not be built: {exc}", transient=False)


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


def deliver(email_id: int, *, transport: Transport | None = None, final: bool = False) -> Outcome:
    """Deliver one queued message; safe to run twice (a claim stops a second sender).

    ``final`` marks the last attempt a task will make: a transient error then fails the row
    instead of leaving it queued.
    """
    rt = runtime.current()
    settings = rt.settings
    transport = transport or transport_for(settings)
    with transaction(rt.session_factory) as session:
        email = _claim(session, email_id)
        if email is None:
            return Outcome.SKIPPED
        message = _built(email, sender=settings.smtp_from)
    if isinstance(message, DeliveryError):  # trying again cannot help: fail it now
        return _record_failure(email_id, transport.name, message, final=True,
                               max_attempts=settings.email_max_attempts)
    try:
        transport.send(message)
    except DeliveryError as exc:
        return _record_failure(email_id, transport.name, exc, final=final,
                               max_attempts=settings.email_max_attempts)
    with transaction(rt.session_factory) as session:
        session.execute(
            update(OutgoingEmail).where(OutgoingEmail.id == email_id).values(
                status=EmailStatus.SENT.value, sent_at=utcnow(), error="",
                transport=transport.name, claimed_at=None,
            )
        )
    return Outcome.SENT


def _claim(session: Session, email_id: int) -> OutgoingEmail | None:
    """Move one row from queued (or a stale sending claim) to sending; None if not ours."""
    now = utcnow()
    claimed = session.execute(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.id == email_id,
            or_(
                OutgoingEmail.status == EmailStatus.QUEUED.value,
                (OutgoingEmail.status == EmailStatus.SENDING.value)
                & (OutgoingEmail.claimed_at < now - CLAIM_TIMEOUT),
            ),
        )
        .values(status=EmailStatus.SENDING.value, claimed_at=now,
                attempts=OutgoingEmail.attempts + 1)
        .returning(OutgoingEmail.id)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    return session.get(OutgoingEmail, email_id, populate_existing=True)


def _record_failure(
    email_id: int, transport: str, exc: DeliveryError, *, final: bool, max_attempts: int
) -> Outcome:
    rt = runtime.current()
    with transaction(rt.session_factory) as session:
        email = session.get(OutgoingEmail, email_id)
        if email is None:
            return Outcome.SKIPPED
        give_up = final or not exc.transient or email.attempts >= max_attempts
        email.status = (EmailStatus.FAILED if give_up else EmailStatus.QUEUED).value
        email.error = str(exc)[:2000]
        email.transport = transport
        email.claimed_at = None
    log.warning("email %s not delivered (%s): %s", email_id, "gave up" if give_up else "will retry",
                exc)
    return Outcome.FAILED if give_up else Outcome.RETRY


@celery_app.task(
    name="microbridge.config.mail.deliver_email", bind=True, acks_late=True, max_retries=6
)
def deliver_email(self: Any, *, email_id: int) -> str:
    """Deliver one outgoing email, retrying transient failures with a growing delay."""
    # In-process (eager) runs cannot wait between tries without holding up a web request:
    # they try once and record the outcome.
    eager = bool(self.request.is_eager)
    final = eager or self.request.retries >= self.max_retries
    outcome = deliver(email_id, final=final)
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return outcome.value


@celery_app.task(name="microbridge.config.mail.sweep_outgoing_email", acks_late=True)
def sweep_outgoing_email(older_than_seconds: int = 120) -> int:
    """Re-queue messages whose task was lost (a crash between commit and enqueue)."""
    rt = runtime.current()
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    with rt.session_factory() as session:
        ids = session.scalars(
            select(OutgoingEmail.id).where(
                or_(
                    (OutgoingEmail.status == EmailStatus.QUEUED.value)
                    & (OutgoingEmail.created_at < cutoff),
                    (OutgoingEmail.status == EmailStatus.SENDING.value)
                    & (OutgoingEmail.claimed_at < utcnow() - CLAIM_TIMEOUT),
                )
            ).limit(500)
        ).all()
    for email_id in ids:
        enqueue(email_id)
    return len(ids)


def failed(session: Session, *, institution_id: int | None, limit: int = 100
           ) -> Sequence[OutgoingEmail]:
    """Failed messages, newest first: an institution's own (``institution_id``), or every one
    (None, the operator)."""
    query = select(OutgoingEmail).where(OutgoingEmail.status == EmailStatus.FAILED.value)
    if institution_id is not None:
        query = query.where(OutgoingEmail.institution_id == institution_id)
    return session.scalars(query.order_by(OutgoingEmail.id.desc()).limit(limit)).all()


def retry(session: Session, email: OutgoingEmail) -> bool:
    """Queue a failed message again (delivered after the caller commits); False if it had not
    failed (a second press, or it went out meanwhile)."""
    if email.status != EmailStatus.FAILED.value:
        return False
    email.status = EmailStatus.QUEUED.value
    email.attempts = 0
    session.flush()
    outbox.queue_after_commit(session, CHANNEL, email.id)
    return True


def recent(session: Session, *, limit: int = 100) -> Sequence[OutgoingEmail]:
    """The newest messages first, for the outbox page."""
    return session.scalars(
        select(OutgoingEmail).order_by(OutgoingEmail.id.desc()).limit(limit)
    ).all()

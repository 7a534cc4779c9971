"""What ``microbridge check`` asks of the services that carry messages: Redis, the mail
server (signing in as delivery does, and optionally sending a test message), the Celery
workers (a ping with a short timeout)."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import redis

from config.celery_app import configure_celery
from config.mail import DeliveryError, SmtpTransport
from config.settings import Settings
from lti_tool.check.findings import Finding, fail, ok, warn

# The checks wait this long for an answer: a healthy service answers in milliseconds.
TIMEOUT_SECONDS = 3.0


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def redis_server(settings: Settings) -> Finding:
    if not settings.redis_url:
        if settings.demo:
            return ok("redis", "not set: tasks run in the web process, caches live in the database")
        return warn("redis", "not set: tasks run inside the web process, no worker, no beat",
                    "set MICROBRIDGE_REDIS_URL (redis://host:6379/0) for production")
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=TIMEOUT_SECONDS,
                                  socket_connect_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        return fail("redis", f"{_redacted(settings.redis_url)}: {error}",
                    "start Redis, or correct MICROBRIDGE_REDIS_URL")
    finally:
        client.close()
    return ok("redis", f"{_redacted(settings.redis_url)}: answers")


def mail_server(settings: Settings, *, send_test_to: str = "") -> Finding:
    smtp = settings.smtp
    if smtp is None:
        if settings.demo:
            return ok("smtp", "not set: a demo, emails are shown at /outbox")
        return fail("smtp", "MICROBRIDGE_SMTP_URL is not set: no email can leave Microbridge",
                    "set MICROBRIDGE_SMTP_URL, e.g. smtp://user:password@mail.example.org:587")
    transport = SmtpTransport(replace(smtp, timeout=TIMEOUT_SECONDS))
    where = f"{smtp.host}:{smtp.port}"
    fix = "correct MICROBRIDGE_SMTP_URL (host, port, user, password) or ask the mail administrator"
    try:
        with transport.connect() as client:
            secured = smtp.implicit_tls or _is_tls(client)
    except smtplib.SMTPAuthenticationError as error:
        return fail("smtp", f"{where} refused the sign-in as {smtp.username!r}: {error.smtp_code}", fix)
    except (smtplib.SMTPException, OSError) as error:
        return fail("smtp", f"cannot talk to {where}: {error or type(error).__name__}", fix)
    signed_in = f" as {smtp.username}" if smtp.username else " (no sign-in)"
    detail = f"{where}: connected{signed_in}, {'TLS' if secured else 'NOT encrypted'}"
    if send_test_to:
        try:
            transport.send(_test_message(settings, send_test_to))
        except DeliveryError as error:
            return fail("smtp", f"{detail}; the test message was refused: {error}", fix)
        detail += f"; test message sent to {send_test_to}"
    if not secured:
        return warn("smtp", detail, "use smtps:// or a server that offers STARTTLS")
    return ok("smtp", detail)


def _is_tls(client: smtplib.SMTP) -> bool:
    import ssl

    return isinstance(client.sock, ssl.SSLSocket)


def _test_message(settings: Settings, to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = "Microbridge test message"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring="mbcheck")
    message.set_content(
        f"`microbridge check --send-test-to {to}` sent this message from {settings.base_url}.\n"
        "If it arrived, employers' and curators' sign-in emails will arrive too.\n"
    )
    return message


def celery_workers(settings: Settings, *, redis_ok: bool) -> Finding:
    if settings.run_tasks_in_process:
        return ok("worker", "tasks run in the web process: no worker needed")
    if not redis_ok:
        return fail("worker", "not checked: Redis does not answer", "see redis above")
    app = configure_celery(settings)
    replies = app.control.ping(timeout=TIMEOUT_SECONDS) or []
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return fail("worker", f"no Celery worker answered within {TIMEOUT_SECONDS:.0f} s",
                    "start `microbridge worker` (and one `microbridge beat`) with these settings")
    return ok("worker", f"{len(names)} answered: {', '.join(names)}")

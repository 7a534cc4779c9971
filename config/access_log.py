"""The access log ``serve`` writes: one Apache combined line per request, from WSGI.

uWSGI's own request log is written in C, past Python's logging, so the log hygiene of
config/logs.py (secrets in URLs redacted, control characters escaped) could not clean it:
``serve`` turns it off and the WSGI entry point wraps the app with :func:`with_access_log`,
whose lines go through a Python logger like every other line of the process.

The line is the combined format operators' tools parse (the one gunicorn wrote before):

    127.0.0.1 - - [06/Dec/2026:18:00:00 +0000] "GET /work?x=1 HTTP/1.1" 200 5120 "-" "Mozilla/5.0"
"""

from __future__ import annotations

import base64
import binascii
import logging
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ACCESS_LOGGER = "microbridge.access"


def _quoted(value: Any) -> str:
    # Text a client chose (path, referer, agent) cannot close the quotes around it.
    return value.replace('"', '\\"') if isinstance(value, str) else str(value)


def basic_auth_user(environ: dict[str, Any]) -> str:
    """The user name of an HTTP Basic ``Authorization`` header, or ``-``."""
    scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return "-"
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return "-"
    return decoded.partition(":")[0] or "-"


def now() -> str:
    return time.strftime("[%d/%b/%Y:%H:%M:%S %z]")


def combined_line(environ: dict[str, Any], status: str, size: str, stamp: str) -> str:
    """The Apache combined line of one request (status is the WSGI status line)."""
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "")
    return '%s - %s %s "%s %s %s" %s %s "%s" "%s"' % (  # noqa: UP031 (the combined layout)
        _quoted(environ.get("REMOTE_ADDR", "-")),
        _quoted(basic_auth_user(environ)),
        stamp,
        _quoted(environ.get("REQUEST_METHOD", "-")),
        _quoted(uri),
        _quoted(environ.get("SERVER_PROTOCOL", "-")),
        _quoted(status.split(None, 1)[0] if status else "-"),
        size,
        _quoted(environ.get("HTTP_REFERER", "-")),
        _quoted(environ.get("HTTP_USER_AGENT", "-")),
    )


def with_access_log(wsgi: WSGIApplication, logger: logging.Logger) -> WSGIApplication:
    """``wsgi`` writing one combined line per request to ``logger``.

    The line is written once the app has answered, with the size its Content-Length gives
    (every response of the app carries one; ``-`` otherwise), before the body is sent.
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer: list[Any] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = wsgi(environ, start)
        status, size = "-", "-"
        if answer:
            status = answer[0]
            size = next((v for k, v in answer[1] if k.lower() == "content-length"), "-")
        try:
            # No arguments: logging leaves a message without them unformatted ("%" is safe).
            logger.info(combined_line(environ, status, size, now()))
        except Exception:  # a log line must never cost the person their answer
            logging.getLogger(__name__).exception("Could not write an access line")
        return body

    return app


def access_logger() -> logging.Logger:
    """The logger of ``serve``'s access lines: plain lines on standard output."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger

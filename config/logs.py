"""Every log line of the process, however it is made (our code, werkzeug, serve's access
log, a library), is cleaned once when its record is made:

- secrets that travel in URLs are replaced: the launch token ``lt``, sign-in and operator
  link tokens, registration links and tokens, OIDC id_tokens, CSRF tokens, and anything that
  looks like a signed token;
- control characters (newlines, escapes) are written as escapes, so text a visitor sent can
  never forge a line of its own or colour a terminal.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
SECRET_PARAMETERS = ("lt", "token", "rt", "registration_token", "id_token", "ticket",
                     "csrf_token")
_SECRET_PARAMETER = re.compile(
    r"(?<![\w-])(" + "|".join(SECRET_PARAMETERS) + r")(=|%3D)[^&\s\"'#;,]+", re.IGNORECASE
)
# Sign-in links carry their token as the last path segment: /employer/sign-in/<token>.
_SIGN_IN_PATH = re.compile(r"(/sign-in/)(?!sent\b)[\w-]{16,}")
# Signed tokens (JWTs, our launch tokens): base64url JSON that starts with '{"'.
_SIGNED_TOKEN = re.compile(r"eyJ[\w-]{8,}(?:\.[\w-]*)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def clean(message: str) -> str:
    """A log message with its secrets replaced and its control characters escaped."""
    message = _SECRET_PARAMETER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", message)
    message = _SIGN_IN_PATH.sub(lambda m: m.group(1) + REDACTED, message)
    message = _SIGNED_TOKEN.sub(REDACTED, message)
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)


def install_log_hygiene() -> None:
    """Make every record of this process clean (idempotent; the composition roots call it)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "cleans_messages", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format is the handler's to report, as ever
            return record
        record.msg, record.args = clean(message), None
        return record

    make_record.cleans_messages = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)

"""gunicorn's logger with a lean access line (``serve`` passes it as ``--logger-class``).

gunicorn's own access logger builds a dictionary of every request header, response header
and environ variable (about 40 entries), copies it to escape quotes, then formats its few
fields out of it: bench/launch.py found it about 9 % of the tool's CPU per launch. With
gunicorn's default format (Apache combined, what ``serve`` uses unless the operator sets
``--access-logformat`` through GUNICORN_CMD_ARGS) this one writes the same line from the
nine values it names. Any other format goes through gunicorn's own code, as before.

The line still goes through the access logger's handlers, so the log hygiene of
config/logs.py (secrets in URLs redacted, control characters escaped) cleans it as before.
"""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import Any

from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

COMBINED = AccessLogFormat.default


def _quoted(value: Any) -> str:
    # gunicorn's SafeAtoms escapes the double quotes of every text atom.
    return value.replace('"', '\\"') if isinstance(value, str) else str(value)


class AccessLogger(Logger):  # type: ignore[misc]
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if self.cfg.access_log_format != COMBINED:
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        line = '%s - %s %s "%s %s %s" %s %s "%s" "%s"' % (  # noqa: UP031 (gunicorn's own layout)
            _quoted(environ.get("REMOTE_ADDR", "-")),
            _quoted(self._get_user(environ) or "-"),
            self.now(),
            _quoted(environ["REQUEST_METHOD"]),
            _quoted(environ["RAW_URI"]),
            _quoted(environ["SERVER_PROTOCOL"]),
            _quoted(status),
            "-" if sent is None else sent,
            _quoted(environ.get("HTTP_REFERER", "-")),
            _quoted(environ.get("HTTP_USER_AGENT", "-")),
        )
        try:
            # No arguments: logging leaves a message without them unformatted ("%" is safe).
            self.access_log.info(line)
        except Exception:
            self.error(traceback.format_exc())

"""The ``Date`` header on every answer (RFC 9110, section 6.6.1: an origin server with a clock
sends one). gunicorn added it; uWSGI, which ``serve`` runs, leaves it to the app."""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_last: tuple[int, str] = (0, "")


def http_date(now: float | None = None) -> str:
    """The current time as an HTTP date, formatted once per second."""
    global _last
    second = int(time.time() if now is None else now)
    if _last[0] != second:
        _last = (second, formatdate(second, usegmt=True))
    return _last[1]


def with_date_header(wsgi: WSGIApplication) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "date" for name, _ in headers):
                headers.append(("Date", http_date()))
            return start_response(status, headers, exc_info)

        return wsgi(environ, start)

    return app

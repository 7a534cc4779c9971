"""A bound on how long a client's socket may stall a request (gunicorn's threaded workers).

gunicorn's gthread workers read a request's body on a socket without a timeout, so a client
that stops sending its upload would hold a thread for as long as it likes. The WSGI entry
point gives each request's socket a timeout: a read (or write) that stalls longer than
``READ_SECONDS`` ends that request, and the thread serves others again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

READ_SECONDS = 30.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def bounded_socket_waits(wsgi: WsgiApp) -> WsgiApp:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(READ_SECONDS)
        return wsgi(environ, start_response)

    return app

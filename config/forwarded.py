"""The scheme a trusted proxy says the client used (``X-Forwarded-Proto``).

A proxy that ends TLS talks plain HTTP to the tool; its ``X-Forwarded-Proto: https`` is
believed only when the request came from one of the proxies ``forwarded_allow_ips`` names
(the setting the rate limit's client address trusts too), never from anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from config.ratelimit import from_trusted_proxy, trusted_proxies

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SCHEMES = frozenset({"http", "https"})


def with_forwarded_scheme(wsgi: WSGIApplication, allow_ips: str) -> WSGIApplication:
    proxies = trusted_proxies(allow_ips)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        claimed = environ.get("HTTP_X_FORWARDED_PROTO")
        if claimed and from_trusted_proxy(environ.get("REMOTE_ADDR", ""), proxies):
            # A chain of proxies appends: the first value is what the client used.
            scheme = claimed.split(",", 1)[0].strip().lower()
            if scheme in SCHEMES:
                environ["wsgi.url_scheme"] = scheme
        return wsgi(environ, start_response)

    return app

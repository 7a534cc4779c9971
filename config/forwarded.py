"""The scheme a trusted proxy says the client used (``X-Forwarded-Proto``).

A proxy that ends TLS talks plain HTTP to the tool; its ``X-Forwarded-Proto: https`` is
believed only when the request came from one of the proxies ``forwarded_allow_ips`` names
(the setting the rate limit's client address trusts too), never from anyone else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from config.ratelimit import Network, trusted_proxies

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

SCHEMES = frozenset({"http", "https"})


def is_trusted(remote_addr: str, proxies: list[Network] | None) -> bool:
    if proxies is None:  # "*"
        return True
    try:
        peer = ipaddress.ip_address(remote_addr.strip().strip("[]"))
    except ValueError:
        return False
    return any(peer in network for network in proxies)


def with_forwarded_scheme(wsgi: WsgiApp, allow_ips: str) -> WsgiApp:
    proxies = trusted_proxies(allow_ips)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        claimed = environ.get("HTTP_X_FORWARDED_PROTO")
        if claimed and is_trusted(environ.get("REMOTE_ADDR", ""), proxies):
            # A chain of proxies appends: the first value is what the client used.
            scheme = claimed.split(",", 1)[0].strip().lower()
            if scheme in SCHEMES:
                environ["wsgi.url_scheme"] = scheme
        return wsgi(environ, start_response)

    return app

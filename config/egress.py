"""The one egress policy: every outbound HTTP request Microbridge makes goes through here.

Registration, platform key sets, token endpoints, AGS and NRPS all fetch URLs that an LMS (or
whoever holds a registration link) chose. Unchecked, that lets a rogue LMS point the tool at
the cloud metadata service, at localhost, or at the private network and read the answers
(server-side request forgery). So:

- the host is resolved here and every address it resolves to must be public; loopback and
  private addresses are allowed only when ``MICROBRIDGE_EGRESS_ALLOW_PRIVATE`` is set (the demo
  and the tests, whose LMS runs on loopback); link-local (cloud metadata), multicast,
  unspecified and reserved addresses are never allowed;
- the socket connects to the very address that was checked, so a name that resolves to a
  public address for the check and a private one for the connection (DNS rebinding) gets
  nowhere; a redirect opens a new connection, which is checked again;
- environment proxies and ``.netrc`` are ignored (``trust_env`` off): a proxy would turn the
  address check into a check of the proxy;
- sessions made with ``follow_redirects=False`` refuse any redirect (registration).

Remote bodies and network errors never reach a page: ``describe`` gives a safe, short text
and ``log_failure`` logs the details, bounded and with tokens redacted.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util import connection

log = logging.getLogger(__name__)

USER_AGENT = "Microbridge LTI tool"
LOGGED_BODY_BYTES = 500
# Kept-alive connections per host and session. A worker's threads share one session; with
# fewer connections kept than threads in flight, each surplus request would open (and close)
# a connection of its own: a TCP and TLS handshake per grade. Connections open on demand.
POOL_SIZE = 64
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services that are not link-local (AWS's IPv6 one is, in fd00:ec2::/32, a
# private range; Alibaba's sits in shared address space). Refused even with private allowed.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
# IPv6 prefixes that carry an IPv4 address inside: the inner address is checked too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class EgressRefused(requests.RequestException):
    """The policy refused this request before any packet was sent."""


class _AddressRefused(Exception):
    """Raised inside urllib3, which would wrap an OSError (and so a RequestException)."""


@dataclass(frozen=True)
class EgressPolicy:
    allow_private: bool = False

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be contacted, or None when it may."""
        for candidate in _with_embedded_ipv4(address):
            reason = self._refusal_of_one(candidate)
            if reason:
                return reason
        return None

    def _refusal_of_one(self, address: IPAddress) -> str | None:
        if address in _METADATA:
            return "a cloud metadata address"
        if address.is_unspecified:
            return "an unspecified address"
        if address.is_multicast:
            return "a multicast address"
        if address.is_link_local:
            return "a link-local address"
        if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
            return "a site-local address"
        if address.is_loopback:
            return None if self.allow_private else "a loopback address"
        if address.is_reserved or address == ipaddress.ip_address("255.255.255.255"):
            return "a reserved address"
        if address.is_global:
            return None
        return None if self.allow_private else "a private address"

    def check(self, addresses: Iterable[IPAddress], *, host: str) -> None:
        """Refuse unless every address ``host`` resolved to may be contacted."""
        found = list(addresses)
        if not found:
            raise _AddressRefused(f"{host} resolved to no address")
        for address in found:
            reason = self.refusal(address)
            if reason:
                raise _AddressRefused(f"{host} resolves to {reason} ({address}), which is refused")


def _with_embedded_ipv4(address: IPAddress) -> list[IPAddress]:
    """The address to judge, and any IPv4 address inside it (IPv4-mapped, NAT64, 6to4...)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    found: list[IPAddress] = [address]
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.append(address.teredo[1])
    return found


def resolve(host: str, port: int) -> list[tuple[IPAddress, Any]]:
    """Every address ``host`` resolves to, with the socket address to connect to."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    found: list[tuple[IPAddress, Any]] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        found.append((address, sockaddr))
    return found


def _checked_socket(conn: HTTPConnection, policy: EgressPolicy) -> socket.socket:
    """Resolve, check every address, then connect to a checked one (never resolve twice)."""
    host = conn._dns_host
    try:
        resolved = resolve(host, conn.port or 0)
    except socket.gaierror as error:
        raise NameResolutionError(conn.host, conn, error) from error
    policy.check((address for address, _ in resolved), host=host)
    last_error: OSError | None = None
    for address, _sockaddr in resolved:
        try:
            # An address literal: create_connection does no name lookup for it.
            sock = connection.create_connection(
                (str(address), conn.port or 0), conn.timeout,
                source_address=conn.source_address, socket_options=conn.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from error
        except OSError as error:
            last_error = error
            continue
        sys.audit("http.client.connect", conn, conn.host, conn.port)
        return sock
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last_error}")


@cache
def _pool_classes(policy: EgressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    class CheckedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _checked_socket(self, policy)

    class CheckedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _checked_socket(self, policy)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    return {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, policy: EgressPolicy, *, pool_size: int) -> None:
        self._policy = policy
        super().__init__(max_retries=0, pool_maxsize=pool_size)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self._policy)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise EgressRefused("outbound requests through a proxy are not allowed")


DEFAULT_TIMEOUT = (5.0, 20.0)
"""Connect and read timeouts (seconds) of a request that names none."""


class EgressSession(requests.Session):
    """A requests session bound to the egress policy (see the module docstring)."""

    def __init__(
        self, policy: EgressPolicy, *, follow_redirects: bool = True, pool_size: int = POOL_SIZE
    ) -> None:
        super().__init__()
        self.policy = policy
        self.follow_redirects = follow_redirects
        self.trust_env = False
        self.max_redirects = 5
        self.headers["User-Agent"] = USER_AGENT
        adapter = _CheckedAdapter(policy, pool_size=pool_size)
        self.adapters.clear()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        scheme = urlsplit(url if isinstance(url, str) else url.decode()).scheme
        if scheme not in ("http", "https"):
            raise EgressRefused(f"only http and https addresses may be fetched, not {scheme!r}")
        if not self.follow_redirects:
            kwargs["allow_redirects"] = False
        # pylti1p3 asks for access tokens without a timeout: no outbound request waits forever.
        if kwargs.get("timeout") is None and len(args) < 7:  # timeout is the 7th positional
            kwargs["timeout"] = DEFAULT_TIMEOUT
        try:
            response = super().request(method, url, *args, **kwargs)
        except _AddressRefused as refused:
            raise EgressRefused(str(refused)) from None
        if not self.follow_redirects and response.is_redirect:
            response.close()
            raise EgressRefused("the server answered with a redirect, which is refused here")
        return response


def policy_for(settings: Any) -> EgressPolicy:
    """The policy the settings ask for (``egress_allow_private``)."""
    return EgressPolicy(allow_private=bool(getattr(settings, "egress_allow_private", False)))


def http_session(
    settings: Any, *, follow_redirects: bool = True, pool_size: int = POOL_SIZE
) -> EgressSession:
    return EgressSession(policy_for(settings), follow_redirects=follow_redirects, pool_size=pool_size)


# -- what users see, what the log keeps ------------------------------------------------------

_SECRETS = re.compile(
    r"(?i)(bearer\s+|access_token\"?\s*[:=]\s*\"?|registration_token=|token=|assertion=)"
    r"[A-Za-z0-9._~+/=-]+"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def redact(text: str, *, limit: int = LOGGED_BODY_BYTES) -> str:
    """One line, bounded, with anything that looks like a token replaced."""
    cleaned = _SECRETS.sub(lambda m: m.group(1) + "[redacted]", text[: limit * 2])
    cleaned = _CONTROL.sub(" ", cleaned)
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def describe(error: BaseException) -> str:
    """A network failure in words safe to show: no addresses, no remote text."""
    if isinstance(error, EgressRefused):
        return "the address is not one Microbridge may contact"
    if isinstance(error, requests.Timeout):
        return "the LMS did not answer in time"
    if isinstance(error, requests.TooManyRedirects):
        return "the LMS redirected too many times"
    if isinstance(error, requests.ConnectionError):
        return "the LMS could not be reached"
    return "the request to the LMS failed"


def log_failure(what: str, url: str, *, error: BaseException | None = None,
                status: int | None = None, body: str = "") -> None:
    """Keep the details of a failed outbound request for the operator (never for a page)."""
    log.warning(
        "outbound %s failed: url=%r status=%s error=%r body=%r",
        what, redact(url, limit=300), status,
        redact(f"{type(error).__name__}: {error}") if error else None, redact(body),
    )


def shares_host(url: str, hosts: Iterable[str]) -> bool:
    """True when ``url``'s host is one of ``hosts`` or in the same organisation's domain.

    Canvas Cloud serves a school's AGS and NRPS at ``school.instructure.com`` while its issuer
    is ``canvas.instructure.com``: a shared parent domain of at least two labels counts, unless
    that parent looks like a public suffix (``ac.uk``, ``co.jp``).
    """
    target = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not target:
        return False
    for host in hosts:
        known = host.lower().rstrip(".")
        if not known:
            continue
        if target == known:
            return True
        parent = _organisation_domain(known)
        if parent and (target == parent or target.endswith("." + parent)):
            return True
    return False


_SECOND_LEVEL_SUFFIXES = {"ac", "co", "com", "edu", "gov", "net", "org", "sch", "govt", "mil"}


def _organisation_domain(host: str) -> str:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return ""  # an address has no parent domain
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 3:
        return ""
    parent = labels[1:]
    if len(parent) == 2 and len(parent[1]) == 2 and parent[0] in _SECOND_LEVEL_SUFFIXES:
        return ""
    return ".".join(parent)


def hosts_of(urls: Iterable[str]) -> set[str]:
    return {h for h in ((urlsplit(u).hostname or "") for u in urls) if h}


def never_connected(error: requests.RequestException) -> bool:
    """A request whose connection was never made, so it cannot have reached the server (a
    connect timeout, a refused or unresolvable host), as opposed to one whose answer was lost."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError)

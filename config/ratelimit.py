"""How often one client may call the public, unauthenticated pages (credential and packet
verification, issuer profile, keys, status list, share links): a fixed window per client
address per group of routes.

The limits are far above what a person or a verifier needs (settings
``public_pages_per_minute`` and ``public_api_per_minute``; 0 turns a group off): they stop
a script from using the verification pages as a free signature oracle or crawling share
links, not people. The count is kept in Redis when Redis is configured (all processes share
it) and in the process otherwise (the embedded default: one process, nothing to share).

The client's address is the one the connection's peer gave, unless that peer is one of the
proxies in ``forwarded_allow_ips`` (the setting config/forwarded.py trusts too): then the
nearest address in ``X-Forwarded-For`` that is not one of those proxies. IPv6 clients count
per /64, the block a single home or phone is given.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Collection, Iterable

import redis
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from config import runtime
from config.settings import Settings

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
MAX_TRACKED = 200_000
"""Distinct clients one process counts in a window; beyond that new ones pass uncounted
(a flood from that many addresses is the proxy's or the network's to stop)."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Group(enum.StrEnum):
    PAGES = "pages"
    """Pages a person opens: answered with a page when over the limit."""
    API = "api"
    """JSON and images a verifier's software fetches: answered with JSON."""


def limit_of(settings: Settings, group: Group) -> int:
    return settings.public_pages_per_minute if group is Group.PAGES else settings.public_api_per_minute


def trusted_proxies(setting: str) -> list[Network] | None:
    """The proxies of ``forwarded_allow_ips`` (addresses or networks); None means ``*``."""
    found: list[Network] = []
    for part in setting.split(","):
        part = part.strip()
        if part == "*":
            return None
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                log.warning("forwarded_allow_ips: %r is not an address; ignored", part)
    return found


def _address(raw: str) -> Address | None:
    try:
        return ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address, proxies: list[Network] | None) -> bool:
    return proxies is None or any(address in network for network in proxies)


def from_trusted_proxy(remote_addr: str, proxies: list[Network] | None) -> bool:
    """Whether the connection's peer is one of the proxies (config/forwarded.py asks too)."""
    peer = _address(remote_addr)
    return peer is not None and _trusted(peer, proxies)


def client_address(remote_addr: str, forwarded_for: Iterable[str],
                   proxies: list[Network] | None) -> str:
    """The client as the nearest untrusted hop sees it (see the module docstring)."""
    peer = _address(remote_addr)
    if peer is None:
        return remote_addr or "-"
    chosen = peer
    if _trusted(peer, proxies):
        hops = [a for a in (_address(h) for v in forwarded_for for h in v.split(",")) if a]
        for hop in reversed(hops):  # the right-most hop was added by our own proxy
            chosen = hop
            if not _trusted(hop, proxies):
                break
    if isinstance(chosen, ipaddress.IPv6Address):
        if chosen.ipv4_mapped is not None:
            return str(chosen.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{chosen}/64", strict=False))
    return str(chosen)


def request_client() -> str:
    """This request's client address, as :func:`client_address` finds it (every per-client
    limit counts by it: a proxy's own address would make all its clients one)."""
    return client_address(request.remote_addr or "", request.headers.getlist("X-Forwarded-For"),
                          trusted_proxies(runtime.current().settings.forwarded_allow_ips))


class InProcessWindows:
    """Counts of the current window in this process (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def hit(self, key: str, window: int) -> int:
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            if key not in self._counts and len(self._counts) >= MAX_TRACKED:
                return 0
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
            return count


_WINDOWS = "microbridge_rate_windows"


def _count(key: str, window: int) -> int:
    rt = runtime.current()
    if rt.settings.is_embedded:
        windows: InProcessWindows = current_app.extensions.setdefault(_WINDOWS, InProcessWindows())
        return windows.hit(key, window)
    try:
        return rt.store.incr(f"rate:{key}:{window}", WINDOW_SECONDS + 5)
    except redis.RedisError:  # a limiter never takes the verification pages down with it
        log.warning("rate limit not counted: Redis unreachable")
        return 0


clock = time.time
"""The time windows are counted in (tests set it to stay inside one window)."""


def check(group: Group) -> Response | None:
    """Count this request; the 429 answer when the client is over its group's limit."""
    settings = runtime.current().settings
    allowed = limit_of(settings, group)
    if allowed <= 0:
        return None
    moment = clock()
    window = int(moment // WINDOW_SECONDS)
    if _count(f"{group.value}:{request_client()}", window) <= allowed:
        return None
    retry = max(1, math.ceil((window + 1) * WINDOW_SECONDS - moment))
    log.warning("rate limited %s %s (%s group, over %d a minute)", request.method, request.path,
                group.value, allowed)
    return too_many(group, allowed, retry)


def too_many(group: Group, allowed: int, retry: int) -> Response:
    wait = f"{retry} second{'s' if retry != 1 else ''}"
    if group is Group.API:
        response = jsonify({
            "error": "too_many_requests",
            "message": f"More than {allowed} requests a minute came from your address. "
                       f"Try again in {wait}.",
            "retry_after": retry})
    else:
        page = render_template(
            "error.html.jinja2", title="Too many requests at once", in_lms=False,
            message=f"More than {allowed} pages a minute were opened from your network address, "
                    "more than a person needs, so Microbridge is pausing these pages for it.",
            hint=f"Wait {wait} and reload the page: nothing is lost. If many people share your "
                 "network (a campus or an office), try again in a minute.")
        response = Response(page, mimetype="text/html")
    response.status_code = 429
    response.headers["Retry-After"] = str(retry)
    response.cache_control.no_store = True
    return response


def limit(bp: Blueprint, *, pages: Collection[str] = (), default: Group = Group.API
          ) -> Blueprint:
    """Count every request of this blueprint: the views named in ``pages`` (endpoint names
    without the blueprint) as pages, the others in ``default``. Apply it before ``protect``
    so a refused request costs no CSRF work."""
    page_endpoints = {f"{bp.name}.{name}" for name in pages}

    def before() -> Response | None:
        group = Group.PAGES if request.endpoint in page_endpoints else default
        return check(group)

    bp.before_request(before)
    return bp

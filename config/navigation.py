"""Was a page asked for on purpose? Fetch Metadata, and the Referer for older browsers.

A GET that shows a student's records to an employer (and writes that to the FERPA disclosure
log) must follow a deliberate action: a click on one of Microbridge's own pages, or an address
typed or bookmarked. Another site can send the signed-in employer's browser to any URL with a
top-level link or redirect (the SameSite=Lax cookie goes along), so such a request is answered
with a page that asks, and nothing is disclosed or logged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DELIBERATE_FETCH_SITES = frozenset({"same-origin", "none"})
"""``none``: the person typed the address, used a bookmark, or opened it from another app."""


def origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, lower-cased; empty when there is none."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def deliberate(*, method: str, fetch_site: str | None, referer: str | None, own_origin: str) -> bool:
    """Did the person mean to open this? POSTs carry a CSRF token from our own form."""
    if method.upper() == "POST":
        return True
    if fetch_site:
        return fetch_site.strip().lower() in DELIBERATE_FETCH_SITES
    # No Fetch Metadata (an older browser): our Referrer-Policy sends our own origin along with
    # same-origin navigations, so a Referer from our pages is a click on them. Without either
    # header there is no telling, and the page asks.
    return bool(referer) and bool(own_origin) and origin(referer or "") == own_origin.lower()

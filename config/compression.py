"""gzip for answers that carry no session secret.

Pages inside the LMS carry the launch token in every link, and compressing a secret beside
text an attacker can reflect into the same page is the BREACH attack (CSRF tokens are masked
per render, the launch token cannot be). So such pages go uncompressed and stay small by paging;
everything else (portal pages, CSV, JSON, CSS and JavaScript) is compressed.
"""

from __future__ import annotations

import gzip

from flask import Response, request

from config.web import launch_token

MIN_SIZE = 1024
MAX_SIZE = 8 * 1024 * 1024  # larger answers stream; compressing them would hold them in memory
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml",
                 "application/jwk-set+json")


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header admits gzip (``gzip;q=0`` refuses it)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            try:
                return not params or float(quality) > 0
            except ValueError:
                return False
    return False


def compress(response: Response) -> Response:
    if not _worth_compressing(response):
        return response
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.headers.get("ETag"):
        response.set_etag(f"{response.get_etag()[0]}-gzip", weak=True)
    return response


def _worth_compressing(response: Response) -> bool:
    if response.status_code != 200 or "Content-Encoding" in response.headers:
        return False
    if "Range" in request.headers or not accepts_gzip(request.headers.get("Accept-Encoding", "")):
        return False
    if not (response.mimetype or "").startswith(_COMPRESSIBLE):
        return False
    if response.mimetype == "text/html" and launch_token():
        return False
    length = response.content_length
    if response.direct_passthrough and (length is None or length > MAX_SIZE):
        return False
    return not response.is_streamed or response.direct_passthrough

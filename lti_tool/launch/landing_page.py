"""The launch answers with its landing page, not with a redirect to it.

A redirect (303) made every launch a third request to the tool: one more connection,
request parse, launch-session check and access line, about a sixth of a launch's CPU
(bench/launch.py), and one more round trip for the person waiting in the LMS.

The page comes from its own view, exactly as its GET would render it, in a request nested
in the launch's: the same app context, so the launch session just issued is the one acting.
The answer names the page's own address in ``Content-Location`` (RFC 9110, 8.7: the content
is a representation of that resource), and the page's script puts the address in the
frame's history (static/js/page_address.js): reloading the frame then GETs the page instead
of posting the used id_token again.
"""

from __future__ import annotations

import io
from urllib.parse import unquote

from flask import current_app, g, request
from werkzeug.wrappers import Response

from config.web import end_session

# What a body-less GET must not inherit from the POST it is nested in.
_BODY_KEYS = ("CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE",
              "HTTP_TRANSFER_ENCODING")


def page_address() -> str:
    """The address the page being rendered stands for when its request had another (a launch)."""
    return str(g.get("_page_address") or "")


def answer_with(location: str) -> Response:
    """The GET answer of ``location`` (a path on this tool, as ``url()`` builds it)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    path, _, query = location.partition("?")
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root):]
    environ = {key: value for key, value in request.environ.items()
               if key not in _BODY_KEYS and not key.startswith("werkzeug.")}
    environ.update({
        "REQUEST_METHOD": "GET",
        # WSGI's PATH_INFO is the decoded path, its bytes as Latin-1 (PEP 3333).
        "PATH_INFO": unquote(path, encoding="latin-1"),
        "QUERY_STRING": query,
        "REQUEST_URI": location,
        "RAW_URI": location,
        "wsgi.input": io.BytesIO(),
    })
    # The page starts from the database as its own request would: what the launch left
    # uncommitted is not there, and a read-only view gets its read-only session. (The
    # autocommit connection stays: it holds no transaction.)
    end_session()
    g._page_address = location
    with app.request_context(environ):
        response: Response = app.full_dispatch_request()
    if not 300 <= response.status_code < 400:  # a redirect names where to go instead
        response.headers["Content-Location"] = location
    return response

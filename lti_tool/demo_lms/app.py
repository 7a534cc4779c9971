"""The Flask app that serves one platform (mountable under a path prefix)."""

from __future__ import annotations

import json
import secrets

from flask import Flask, Response, request

from . import ags, nrps, persistence, protocol, storage_frame, ui
from .errors import PlatformError
from .platform import Platform, current_platform


def create_platform_app(platform: Platform) -> Flask:
    """Build the app; absolute URLs always come from platform.base_url, never the request."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    # Two flavours may share a host in the demo; keep their sessions apart.
    app.config["SESSION_COOKIE_NAME"] = f"demo_lms_{platform.flavour}"
    app.extensions["demo_lms"] = platform
    app.register_error_handler(PlatformError, _error_response)
    app.before_request(_injected_fault)
    app.after_request(_save_state)
    for module in (protocol, ags, nrps, storage_frame, ui):
        module.register(app, platform)
    return app


def _error_response(error: PlatformError) -> Response:
    if isinstance(error.body, str):
        response = Response(error.body, status=error.status, content_type="text/plain")
    else:
        response = Response(json.dumps(error.body), status=error.status, content_type="application/json")
    response.headers.update(error.headers)
    return response


def _injected_fault() -> Response | None:
    query = request.query_string.decode()
    path = request.path + ("?" + query if query else "")
    fault = current_platform().faults.take(request.method, path)
    if fault is None:
        return None
    response = Response(fault.body, status=fault.status, content_type="text/plain")
    response.headers.update(fault.headers)
    return response


def _save_state(response: Response) -> Response:
    platform = current_platform()
    if platform.state_file and request.method != "GET" and response.status_code < 400:
        persistence.save(platform, platform.state_file)
    return response

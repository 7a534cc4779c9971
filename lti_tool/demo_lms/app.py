"""The Flask app that serves one platform (mountable under a path prefix)."""

from __future__ import annotations

import json
import secrets

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from . import ags, nrps, persistence, protocol, storage_frame, ui
from .errors import PlatformError
from .faults import Fault
from .platform import Platform, current_platform


def create_platform_app(platform: Platform) -> Flask:
    """Build the app; absolute URLs always come from platform.base_url, never the request."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    # Two flavours may share a host in the demo; keep their sessions apart.
    app.config["SESSION_COOKIE_NAME"] = f"demo_lms_{platform.flavour}"
    app.session_interface = _CookieSessions()
    app.extensions["demo_lms"] = platform
    app.register_error_handler(PlatformError, _error_response)
    app.before_request(_injected_fault)
    # Flask runs after_request hooks last-registered first: the state is saved (the score
    # applied) before a fault replaces the answer.
    app.after_request(_fault_after_applying)
    app.after_request(_save_state)
    for module in (protocol, ags, nrps, storage_frame, ui):
        module.register(app, platform)
    return app


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signing serializer for a request
    that carries no session cookie: every AGS and NRPS call (tools send a bearer token, never
    a cookie), and the serializer cost more than the rest of a score POST's own work."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what Flask answers then, too
        return super().open_session(app, request)


def _error_response(error: PlatformError) -> Response:
    if isinstance(error.body, str):
        response = Response(error.body, status=error.status, content_type="text/plain")
    else:
        response = Response(json.dumps(error.body), status=error.status, content_type="application/json")
    response.headers.update(error.headers)
    return response


def _injected_fault() -> Response | None:
    faults = current_platform().faults
    if not faults.faults:  # none armed (the usual case): no path to build, no lock to take
        return None
    fault = faults.take(request.method, _path())
    return None if fault is None else _fault_response(fault)


def _fault_after_applying(response: Response) -> Response:
    faults = current_platform().faults
    if response.status_code >= 300 or not faults.faults:
        return response
    fault = faults.take(request.method, _path(), after_applying=True)
    return response if fault is None else _fault_response(fault)


def _path() -> str:
    query = request.query_string.decode()
    return request.path + ("?" + query if query else "")


def _fault_response(fault: Fault) -> Response:
    fault.wait()
    response = Response(fault.body, status=fault.status, content_type="text/plain")
    response.headers.update(fault.headers)
    return response


def _save_state(response: Response) -> Response:
    platform = current_platform()
    if platform.state_file and request.method != "GET" and response.status_code < 400:
        persistence.save(platform, platform.state_file)
    return response

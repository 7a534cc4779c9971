"""The Flask app factory: the composition root that wires every part together."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Request, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

import templates
from config.celery_app import IN_PROCESS_BEAT, configure_celery, start_in_process_beat
from config.compiled_templates import shared_templates
from config.compression import compress
from config.logs import install_log_hygiene
from config.migrate import check_migrated
from config.runtime import EXTENSION
from config.settings import Settings, load_settings
from config.url_rules import shared_builders
from config.web import (
    PLATFORM_ACTIVE,
    BigintId,
    UserFacingError,
    close_db,
    csrf_token,
    launch_field,
    person_zone,
    shown_time,
    top_level_only,
    url,
)
from lti_tool import models_index  # noqa: F401  (every model mapped before the first query)
from lti_tool.launch.landing_page import page_address
from lti_tool.registry.cache import platform_active
from lti_tool.runtime import build_tool_runtime, prepare
from lti_tool.unavailable import register_unavailable_pages

log = logging.getLogger(__name__)

# Templates and static files ship in the top-level `templates` package (installed as its data).
WEB_ASSETS = Path(templates.__file__).resolve().parent


def create_app(settings: Settings | None = None, *, check_schema: bool = True) -> Flask:
    settings = settings or load_settings()
    install_log_hygiene()  # before anything logs: no secret or forged line in any log
    app = Flask(
        "microbridge",
        root_path=str(WEB_ASSETS),
        template_folder=str(WEB_ASSETS),
        static_folder=str(WEB_ASSETS / "static"),
        instance_path=str(settings.instance_path),
    )
    shared_builders(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        # The largest request is a submission: its files plus a megabyte for the form.
        # Werkzeug refuses anything longer (413) before reading it.
        MAX_CONTENT_LENGTH=(settings.upload_max_submission_mb + 1) * 1024 * 1024,
        MICROBRIDGE=settings,
        # Session cookies are only used top-level (employer portal, admin); inside the
        # LMS iframe the launch token carries the session.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https"),
    )
    app.session_interface = CookieOnlyWhenSent()
    # This app's services, reached through the app (never a process-wide global).
    rt = build_tool_runtime(settings)
    app.extensions[EXTENSION] = rt
    if check_schema:
        check_migrated(rt.engine, settings.database_url)
    prepare(rt)
    configure_celery(settings)
    # A launch session counts only while its platform is active.
    app.extensions[PLATFORM_ACTIVE] = platform_active
    app.teardown_appcontext(close_db)
    # Flask autoescapes only *.html names; ours end in .html.jinja2, so switch it on for all.
    app.jinja_env.autoescape = True
    shared_templates(app)
    app.jinja_env.globals["url"] = url
    # Forms inside the LMS iframe carry the launch session: {{ launch_field() }}.
    app.jinja_env.globals["launch_field"] = launch_field
    app.jinja_env.globals["csrf_token"] = csrf_token
    # A launch answers with its landing page: the page shows its own address (landing_page.py).
    app.jinja_env.globals["page_address"] = page_address
    # Times in the person's zone (the LMS's, else the browser's): {{ shown_time(value) }}.
    app.jinja_env.globals["shown_time"] = shown_time
    app.jinja_env.globals["person_zone"] = person_zone
    # The employer portal's navigation, composed here so catalog/ needs nothing from grading/.
    app.jinja_env.globals["employer_portal_nav"] = [("employer_reviews.inbox", "Reviews"),
                                                    ("employer_applications.index", "Applications"),
                                                    ("mail_settings.employer", "Email")]
    app.jinja_env.globals["curator_portal_nav"] = [("mail_settings.curator", "Email")]
    # Every curator (an account or an LMS Administrator) finds the students' credentials.
    app.jinja_env.globals["curation_staff_nav"] = [("credentials_office.curated", "Credentials")]
    app.url_map.converters["int"] = BigintId  # before any route is added
    _register_blueprints(app)
    _register_error_pages(app)
    register_unavailable_pages(app)
    app.after_request(_security_headers)
    app.after_request(compress)
    # Last: the beat thread imports task modules, and a models module half-imported there
    # while this thread runs its first query fails the mapper configuration.
    # Kept on the app so whoever owns it (a test, an embedding server) can stop the thread.
    app.extensions[IN_PROCESS_BEAT] = start_in_process_beat(rt)
    return app


class CookieOnlyWhenSent(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus building a signer for requests without one.

    Only the employer and admin portals use the Flask session; every LTI page and launch
    comes without its cookie.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def _register_blueprints(app: Flask) -> None:
    from lti_tool.blueprints import all_blueprints

    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(UserFacingError)
    def user_facing(error: UserFacingError) -> tuple[str, int]:
        reason = getattr(error, "reason", error.__class__.__name__)
        log.warning("refused %s %s (%s): %s", request.method, request.path, reason, error.message)
        return _error_page(error.title, error.message, error.hint), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        title, message = _HTTP_TEXT.get(status, ("Something went wrong", error.description or ""))
        return _error_page(title, message, ""), status

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        reference = secrets.token_hex(4)
        log.exception("unexpected error %s on %s %s", reference, request.method, request.path)
        return (
            _error_page(
                "Something went wrong on our side",
                "Microbridge hit an unexpected problem and did not finish this request. "
                "Nothing you sent was half-saved.",
                "Try again in a minute. If it keeps happening, give your administrator the "
                "reference below.",
                reference,
            ),
            500,
        )


_HTTP_TEXT: dict[int, tuple[str, str]] = {
    400: ("This request could not be understood", "Some of what was sent is missing or malformed."),
    401: ("Please sign in", "This page needs you to be signed in."),
    403: ("Not allowed", "You do not have permission to see this page."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed here", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than Microbridge accepts."),
    429: ("Too many requests", "Please wait a moment before trying again."),
}


def _error_page(title: str, message: str, hint: str, reference: str = "") -> str:
    # The portals' people (employers, curators) never came from Canvas or Moodle.
    return render_template(
        "error.html.jinja2", title=title, message=message, hint=hint, reference=reference,
        in_lms=_in_lms(),
    )


def _in_lms() -> bool:
    try:
        return not top_level_only()
    except HTTPException:  # the request itself is unreadable (too large): say the LMS's words
        return True


def _security_headers(response: Any) -> Any:
    # The LMS pages are framed by whichever LMS installed the tool, so framing is allowed
    # there; the portals and the operator's pages are top-level only (no clickjacking).
    # Everything else is locked to our own origin.
    framing = "*"
    if top_level_only():
        framing = "'none'"
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action *; frame-ancestors {framing}; base-uri 'none'; object-src 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response

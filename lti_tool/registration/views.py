"""Dynamic registration pages, and Canvas's developer-key JSON for manual installs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, jsonify, render_template, request

from config import egress, runtime
from config.web import db
from lti_tool.registration import canvas_config, service
from lti_tool.registration.models import RegistrationLink

bp = Blueprint("registration", __name__)


def _http() -> egress.EgressSession:
    # Registration follows no redirect: the LMS names its endpoints exactly.
    return egress.http_session(runtime.current().settings, follow_redirects=False)


@contextmanager
def _counting_failures(link: RegistrationLink) -> Iterator[None]:
    """A failed attempt counts against the link, so it cannot be used to probe for long."""
    try:
        yield
    except service.RegistrationFailed:
        # Undo this attempt's writes first: on SQLite the store shares the database lock.
        db().rollback()
        service.record_failure(runtime.current().store, link)
        raise


@bp.get("/lti/register")
def start() -> str:
    secret = request.args.get("rt", "")
    link = service.usable_link(db(), runtime.current().store, secret)
    config_url = request.args.get("openid_configuration", "")
    token = request.args.get("registration_token", "")
    if not config_url:
        raise service.RegistrationFailed(
            "Open this link from your LMS's “register a tool by URL” page, not directly: "
            "the LMS adds what Microbridge needs to register."
        )
    with _counting_failures(link):
        config = service.fetch_configuration(_http(), url=config_url, registration_token=token)
    return render_template(
        "lti/register_confirm.html.jinja2", config=config, rt=secret, config_url=config_url,
        registration_token=token,
    )


@bp.post("/lti/register")
def complete() -> str:
    session = db()
    link = service.usable_link(session, runtime.current().store, request.form.get("rt", ""))
    token = request.form.get("registration_token", "")
    http = _http()
    with _counting_failures(link):
        config = service.fetch_configuration(
            http, url=request.form.get("openid_configuration", ""), registration_token=token
        )
        platform = service.register(
            session, http, link=link, config=config, registration_token=token,
            base_url=runtime.current().settings.base_url,
        )
    session.commit()
    return render_template("lti/register_done.html.jinja2", platform=platform)


@bp.get("/lti/canvas.json")
def canvas_json() -> Response:
    """Canvas developer-key configuration (LTI 1.3 "Enter URL" install)."""
    return jsonify(canvas_config.developer_key_config(runtime.current().settings.base_url))

"""The platform admin page: see registrations, add deployments, deactivate a platform."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from config import runtime
from config.web import Principal, UserFacingError, authorised_by, db, protect, url
from lti_tool.registry import cache, service
from lti_tool.registry.admin import accept_operator_link, require_admin
from lti_tool.registry.models import Platform

# The operator acts from the cookie session, an LMS administrator from a launch.
bp = protect(Blueprint("platform_admin", __name__), by=Principal.EITHER)


@bp.get("/admin/sign-in")
@authorised_by(Principal.COOKIE)
def operator_sign_in() -> Response:
    token = request.args.get("token", "")
    if not accept_operator_link(current_app.config["SECRET_KEY"], token, store=runtime.current().store):
        raise UserFacingError(
            "This sign-in link is not valid, has been used, or has expired "
            "(links work once, for 15 minutes).",
            title="Sign-in link expired",
            hint="Run `microbridge admin-link` again.",
            status=403,
        )
    return redirect(url("platform_admin.index"), code=303)


@bp.get("/admin/platforms")
def index() -> str:
    scope = require_admin()
    platforms = [p for p in service.list_platforms(db()) if scope.may_manage(p.institution_id)]
    return render_template("admin/platforms.html.jinja2", platforms=platforms, scope=scope, errors={})


@bp.post("/admin/platforms/<int:platform_id>/deployments")
def add_deployment(platform_id: int) -> Response | tuple[str, int]:
    scope = require_admin()
    session = db()
    platform = session.get(Platform, platform_id)
    if platform is None or not scope.may_manage(platform.institution_id):
        abort(404)
    try:
        service.add_deployment(
            session, platform=platform, deployment_id=request.form.get("deployment_id", "")
        )
    except UserFacingError as error:
        platforms = [p for p in service.list_platforms(session) if scope.may_manage(p.institution_id)]
        page = render_template(
            "admin/platforms.html.jinja2", platforms=platforms, scope=scope,
            errors={platform_id: error.message},
        )
        return page, 400
    session.commit()
    return redirect(url("platform_admin.index"), code=303)


@bp.post("/admin/platforms/<int:platform_id>/active")
def set_active(platform_id: int) -> Response:
    scope = require_admin()
    session = db()
    platform = session.get(Platform, platform_id)
    if platform is None or not scope.may_manage(platform.institution_id):
        abort(404)
    platform.active = request.form.get("active") == "1"
    session.commit()
    cache.forget()
    return redirect(url("platform_admin.index"), code=303)

"""The platform admin pages: see registrations, add deployments, deactivate a platform; see
mail that failed, with the reason, and send it again."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from config import mail, runtime
from config.web import Principal, UserFacingError, authorised_by, db, protect, url
from lti_tool.registry import service
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
    session.commit()  # the registry's commit hook forgets the cache (registry/version.py)
    return redirect(url("platform_admin.index"), code=303)


@bp.get("/admin/mail")
def failed_mail() -> str:
    scope = require_admin()
    rows = mail.failed(db(), institution_id=None if scope.operator else scope.institution_id)
    return render_template("admin/mail.html.jinja2", emails=rows, scope=scope)


@bp.post("/admin/mail/<int:email_id>/retry")
def retry_mail(email_id: int) -> Response:
    scope = require_admin()
    session = db()
    email = session.get(mail.OutgoingEmail, email_id)
    # An LMS administrator reaches only their institution's mail; the operator every message.
    if email is None or not (scope.operator or (
            email.institution_id is not None and scope.may_manage(email.institution_id))):
        abort(404)
    mail.retry(session, email)
    session.commit()
    return redirect(url("platform_admin.failed_mail"), code=303)

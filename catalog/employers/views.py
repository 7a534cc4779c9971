"""The employer portal: sign-up, sign-in by emailed link, the dashboard and the team page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response

from catalog.employers import service
from catalog.employers.access import require_member
from catalog.employers.models import EmployerMember
from catalog.portal import web
from catalog.portal.service import TooManyLinks, email_problem
from catalog.portal.sign_in_views import Portal, add_sign_in_routes
from catalog.projects import service as projects
from config import runtime
from config.web import Principal, db, protect

bp = protect(Blueprint("employers", __name__, url_prefix="/employer"), by=Principal.COOKIE)

PORTAL = Portal(
    name="Employer portal", blueprint="employers", kind=service.KIND, home="employers.dashboard",
    request_sign_in=service.request_sign_in, complete_sign_in=service.complete_sign_in,
    sign_up="employers.sign_up",
)
add_sign_in_routes(bp, PORTAL)


@bp.get("/")
def dashboard() -> str:
    member = require_member()
    return render_template(
        "catalog/employers/dashboard.html.jinja2", member=member, org=member.employer,
        projects=projects.list_for_employer(db(), employer_id=member.employer_id),
    )


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> str | Response | tuple[str, int]:
    names = ("org_name", "website", "name", "email")
    form = web.FormState()
    if request.method == "POST":
        form = web.FormState.read(*names)
        _check_sign_up(form)
        if form.ok:
            try:
                service.sign_up(
                    db(), form=service.SignUp(**{n: form.value(n) for n in names}),
                    store=runtime.current().store, policy=web.link_policy(),
                    link_for=web.link_builder("employers.confirm"),
                )
            except TooManyLinks as exc:
                form.errors["email"] = f"{exc.message} {exc.hint}"
                return render_template("catalog/employers/sign_up.html.jinja2", form=form,
                                       portal=PORTAL), 429
            db().commit()
            return redirect(url_for("employers.sent", email=form.value("email")))
        return render_template("catalog/employers/sign_up.html.jinja2", form=form,
                               portal=PORTAL), 422
    return render_template("catalog/employers/sign_up.html.jinja2", form=form, portal=PORTAL)


def _check_sign_up(form: web.FormState) -> None:
    org = form.value("org_name")
    if not org:
        form.errors["org_name"] = "Enter your organisation's name."
    elif len(org) > 200:
        form.errors["org_name"] = "Keep the name to 200 characters."
    website = form.value("website")
    if website and (len(website) > 300 or not service.website_host(website)
                    or " " in website or "." not in service.website_host(website)):
        form.errors["website"] = "Enter a website like example.org, or leave it empty."
    if len(form.value("name")) > 200:
        form.errors["name"] = "Keep your name to 200 characters."
    problem = email_problem(form.value("email"))
    if problem:
        form.errors["email"] = problem


@bp.get("/team")
def team() -> str:
    member = require_member()
    return _team_page(member, web.FormState())


def _team_page(member: EmployerMember, form: web.FormState) -> str:
    return render_template(
        "catalog/employers/team.html.jinja2", member=member, org=member.employer, form=form,
        team=service.team(db(), employer_id=member.employer_id),
    )


@bp.post("/team/invite")
def invite() -> str | Response | tuple[str, int]:
    member = require_member()
    form = web.FormState.read("email", "name")
    problem = email_problem(form.value("email"))
    if problem:
        form.errors["email"] = problem
    if len(form.value("name")) > 200:
        form.errors["name"] = "Keep the name to 200 characters."
    if form.ok:
        try:
            invited = service.invite(
                db(), inviter=member, email=form.value("email"), name=form.value("name"),
                policy=web.link_policy(), link_for=web.link_builder("employers.confirm"),
            )
        except service.FormProblem as exc:
            db().rollback()
            form.errors[exc.field] = exc.message
        else:
            db().commit()
            flash(f"Invitation sent to {invited.email}.")
            return redirect(url_for("employers.team"))
    return _team_page(member, form), 422

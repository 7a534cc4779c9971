"""The employer portal: sign-up, sign-in by emailed link, the dashboard and the team page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers.response import Response

from catalog.employers import invitations, service
from catalog.employers.access import current_member, require_member
from catalog.employers.models import EmployerMember
from catalog.portal import web
from catalog.portal.service import TooManyLinks, email_problem, peek
from catalog.portal.sign_in_views import Portal, add_sign_in_routes
from catalog.projects import service as projects
from config import runtime
from config.ratelimit import request_client
from config.web import Principal, db, protect

bp = protect(Blueprint("employers", __name__, url_prefix="/employer"), by=Principal.COOKIE)

PORTAL = Portal(
    name="Employer portal", blueprint="employers", kind=service.KIND, home="employers.dashboard",
    request_sign_in=service.request_sign_in, complete_sign_in=service.complete_sign_in,
    sign_up="employers.sign_up",
)


def current_address() -> str | None:
    """A proven address without an account (it followed a sign-up or invitation link)."""
    link_id = web.signed_in(service.ADDRESS)
    return None if link_id is None else service.address_of_link(db(), link_id=link_id)


def _client_ip() -> str:
    return request_client()


_SIGN_UP_KEPT = "employer_sign_up"
"""What the sign-up form said, kept in this browser until the address is proven."""


@bp.get("/")
def dashboard() -> str:
    member = require_member()
    return render_template(
        "catalog/employers/dashboard.html.jinja2", member=member, org=member.employer,
        projects=projects.list_for_employer(db(), employer_id=member.employer_id),
    )


def confirm(token: str) -> str | Response:
    """The shared confirm page, but a link may also prove an address without an account (it
    then leads to the welcome page: join an organisation that invited it, or create one)."""
    kind = service.link_kind(db(), token=token)
    if request.method == "GET":
        # A page with a button, not an instant sign-in: mail scanners that open links
        # must not use up the link.
        link = peek(db(), kind=kind, token=token)
        web.link_opened_here(token)
        return render_template("catalog/portal/confirm.html.jinja2", portal=PORTAL,
                               email=link.email, token=token)
    peek(db(), kind=kind, token=token)  # a used or expired link says so first
    web.require_link_opened_here(token)
    kept = session.get(_SIGN_UP_KEPT)
    followed = service.follow_link(db(), token=token)
    db().commit()
    if followed.member is None:
        assert followed.address_link_id is not None
        web.sign_in(service.ADDRESS, followed.address_link_id)
        if isinstance(kept, dict) and kept.get("email") == followed.email:
            session[_SIGN_UP_KEPT] = kept
        return redirect(url_for("employers.welcome"))
    web.sign_in(service.KIND, followed.member.id)
    flash(f"Signed in as {followed.member.email}.")
    if service.pending_invitations(db(), email=followed.email):
        return redirect(url_for("employers.welcome"))
    return redirect(url_for("employers.dashboard"))


add_sign_in_routes(bp, PORTAL, confirm_view=confirm)


@bp.get("/welcome")
def welcome() -> str | Response:
    member = current_member()
    email = member.email if member is not None else current_address()
    if email is None:
        return redirect(url_for("employers.sign_in"))
    kept = session.get(_SIGN_UP_KEPT)
    values = {n: str(kept.get(n, "")) for n in ("org_name", "website", "name")} if (
        isinstance(kept, dict) and kept.get("email") == email) else {}
    return _welcome_page(member, email, web.FormState(values=values))


def _welcome_page(member: EmployerMember | None, email: str, form: web.FormState) -> str:
    return render_template(
        "catalog/employers/welcome.html.jinja2", member=member, email=email, form=form,
        portal=PORTAL, invitations=service.pending_invitations(db(), email=email),
    )


@bp.post("/welcome/create")
def create_own() -> str | Response | tuple[str, int]:
    if current_member() is not None:
        return redirect(url_for("employers.dashboard"))
    email = current_address()
    if email is None:
        return redirect(url_for("employers.sign_in"))
    form = web.FormState.read("org_name", "website", "name")
    _check_organisation(form)
    if not form.ok:
        return _welcome_page(None, email, form), 422
    member = invitations.create_own(db(), email=email, org_name=form.value("org_name"),
                                    website=form.value("website"), name=form.value("name"))
    db().commit()
    web.sign_in(service.KIND, member.id)
    flash(f"You created the employer account for {member.employer.name}.")
    return redirect(url_for("employers.dashboard"))


@bp.post("/invitations/<int:invitation_id>/accept")
def accept(invitation_id: int) -> Response:
    member = current_member()
    email = member.email if member is not None else current_address()
    if email is None:
        return redirect(url_for("employers.sign_in"))
    joined = invitations.accept(db(), invitation_id=invitation_id, email=email, member=member)
    db().commit()
    web.sign_in(service.KIND, joined.id)
    flash(f"You joined {joined.employer.name}.")
    return redirect(url_for("employers.dashboard"))


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> str | Response | tuple[str, int]:
    names = ("org_name", "website", "name", "email")
    form = web.FormState()
    if request.method == "POST":
        form = web.FormState.read(*names)
        _check_organisation(form)
        problem = email_problem(form.value("email"))
        if problem:
            form.errors["email"] = problem
        if form.ok:
            try:
                service.sign_up(
                    db(), form=service.SignUp(**{n: form.value(n) for n in names}),
                    store=runtime.current().store, policy=web.link_policy(),
                    link_for=web.link_builder("employers.confirm"), client_ip=_client_ip(),
                    per_ip_hour=web.settings().portal_mail_per_ip_hour,
                )
            except TooManyLinks as exc:
                form.errors["email"] = f"{exc.message} {exc.hint}"
                return render_template("catalog/employers/sign_up.html.jinja2", form=form,
                                       portal=PORTAL), 429
            db().commit()
            session[_SIGN_UP_KEPT] = {n: form.value(n) for n in names}
            return redirect(url_for("employers.sent", email=form.value("email")))
        return render_template("catalog/employers/sign_up.html.jinja2", form=form,
                               portal=PORTAL), 422
    return render_template("catalog/employers/sign_up.html.jinja2", form=form, portal=PORTAL)


def _check_organisation(form: web.FormState) -> None:
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


@bp.get("/team")
def team() -> str:
    member = require_member()
    return _team_page(member, web.FormState())


def _team_page(member: EmployerMember, form: web.FormState) -> str:
    return render_template(
        "catalog/employers/team.html.jinja2", member=member, org=member.employer, form=form,
        team=service.team(db(), employer_id=member.employer_id),
        invitations=invitations.open_invitations(db(), employer_id=member.employer_id),
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
    status = 422
    if form.ok:
        try:
            invited = invitations.invite(
                db(), inviter=member, email=form.value("email"), name=form.value("name"),
                store=runtime.current().store, policy=_invite_policy(),
                links_policy=web.link_policy(), link_for=web.link_builder("employers.confirm"),
            )
        except (invitations.TooManyInvitations, TooManyLinks) as exc:
            db().rollback()
            form.errors["email"] = f"{exc.message} {exc.hint}"
            status = 429
        else:
            db().commit()
            flash(f"Invitation sent to {invited.email}. They join when they accept it.")
            return redirect(url_for("employers.team"))
    return _team_page(member, form), status


def _invite_policy() -> invitations.InvitePolicy:
    s = web.settings()
    return invitations.InvitePolicy(per_inviter_hour=s.employer_invites_per_hour,
                                    per_org_day=s.employer_invites_per_day,
                                    days=s.employer_invitation_days)


@bp.post("/team/members/<int:member_id>/remove")
def remove_member(member_id: int) -> Response:
    owner = require_member()
    removed = invitations.remove(db(), owner=owner, member_id=member_id)
    db().commit()
    flash(f"{removed.email} is no longer a member of {owner.employer.name}.")
    return redirect(url_for("employers.team"))


@bp.post("/team/leave")
def leave() -> Response:
    member = require_member()
    name = member.employer.name
    invitations.leave(db(), member=member)
    db().commit()
    web.sign_out()
    flash(f"You left {name}; your employer account has ended.")
    return redirect(url_for("employers.sign_in"))


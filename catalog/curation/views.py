"""Curators' pages: sign-in, the review queue, decisions, the catalog, colleagues.

A curator is a curator account signed in by email, or an LMS Administrator launched from
the LMS (then these pages sit in the LMS iframe and every link carries the launch token).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response

from catalog.actors import Actor
from catalog.curation import service
from catalog.curation.access import require_curator
from catalog.curation.models import Decision
from catalog.employers.service import FormProblem
from catalog.portal import web
from catalog.portal.service import email_problem
from catalog.portal.sign_in_views import Portal, add_sign_in_routes
from catalog.projects.guardrails import PayPolicy
from catalog.projects.service import GuardrailsNotMet
from config.web import Principal, db, protect, url

# An LMS Administrator curates from a launch, a curator account from the cookie session;
# the sign-in pages are the cookie's alone (sign_in_views marks them).
bp = protect(Blueprint("curation", __name__), by=Principal.EITHER)

PORTAL = Portal(
    name="Curator sign-in", blueprint="curation", kind=service.KIND, home="curation.queue",
    request_sign_in=service.request_sign_in, complete_sign_in=service.complete_sign_in,
)
add_sign_in_routes(bp, PORTAL, prefix="/curator")


def policy() -> PayPolicy:
    return PayPolicy.from_settings(web.settings())


def project_link(project_id: int) -> str:
    return web.settings().base_url + url_for("projects.show", project_id=project_id)


@bp.get("/curation/")
def queue() -> str:
    actor = require_curator()
    assert actor.institution_id is not None
    return render_template("catalog/curation/queue.html.jinja2", actor=actor,
                           items=service.queue(db(), institution_id=actor.institution_id))


@bp.get("/curation/catalog")
def catalog() -> str:
    actor = require_curator()
    assert actor.institution_id is not None
    return render_template("catalog/curation/listed.html.jinja2", actor=actor,
                           items=service.listed(db(), institution_id=actor.institution_id))


@bp.get("/curation/projects/<int:project_id>")
def review(project_id: int) -> str:
    actor = require_curator()
    return _review_page(actor, project_id, web.FormState())


def _review_page(actor: Actor, project_id: int, form: web.FormState) -> str:
    assert actor.institution_id is not None
    item = service.review(db(), institution_id=actor.institution_id, project_id=project_id,
                          policy=policy())
    return render_template("catalog/curation/review.html.jinja2", actor=actor, item=item,
                           form=form, decisions=list(Decision))


@bp.post("/curation/projects/<int:project_id>/decide")
def decide(project_id: int) -> str | Response | tuple[str, int]:
    actor = require_curator()
    form = web.FormState.read("decision", "note")
    try:
        decision = Decision(form.value("decision"))
    except ValueError:
        form.errors["decision"] = "Choose a decision."
        return _review_page(actor, project_id, form), 422
    try:
        service.decide(db(), actor=actor, project_id=project_id, decision=decision,
                       note=form.value("note")[:4000], policy=policy(),
                       project_link=project_link)
    except service.NoteNeeded as exc:
        form.errors["note"] = exc.message
    except GuardrailsNotMet as exc:
        form.errors["decision"] = "It cannot be approved: " + " ".join(exc.problems.values())
    if not form.ok:
        db().rollback()
        return _review_page(actor, project_id, form), 422
    db().commit()
    flash(f"{decision.label}. The employer has been told by email.")
    return redirect(url("curation.queue"))


@bp.post("/curation/employers/<int:employer_id>/verify")
def verify(employer_id: int) -> Response:
    actor = require_curator()
    service.verify_employer(db(), actor=actor, employer_id=employer_id,
                            note=request.form.get("note", "")[:200])
    db().commit()
    flash("Employer marked as verified.")
    return redirect(url("curation.review", project_id=int(request.form.get("project_id", "0")))
                    if request.form.get("project_id", "").isdigit() else url("curation.queue"))


@bp.route("/curation/curators", methods=["GET", "POST"])
def curators() -> str | Response | tuple[str, int]:
    actor = require_curator()
    assert actor.institution_id is not None
    form = web.FormState()
    if request.method == "POST":
        form = web.FormState.read("email", "name")
        problem = email_problem(form.value("email"))
        if problem:
            form.errors["email"] = problem
        else:
            try:
                account = service.invite_curator(
                    db(), actor=actor, email=form.value("email"), name=form.value("name")[:200],
                    policy=web.link_policy(), link_for=web.link_builder("curation.confirm"),
                )
            except FormProblem as exc:
                db().rollback()
                form.errors[exc.field] = exc.message
            else:
                db().commit()
                flash(f"{account.email} can now sign in as a curator.")
                return redirect(url("curation.curators"))
    page = render_template("catalog/curation/curators.html.jinja2", actor=actor, form=form,
                           accounts=service.curators(db(), institution_id=actor.institution_id))
    return (page, 422) if form.errors else page

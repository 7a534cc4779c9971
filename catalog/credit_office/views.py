"""The institution's credit policy and its credit officers, on the curators' pages.

Curators (signed in) and LMS Administrators (launched) set how hours become credit, the
minimum grade, whether a reflection is needed and who approves; they invite credit officers.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template
from werkzeug.wrappers.response import Response

from catalog.actors import Actor
from catalog.credit_office import service
from catalog.credit_office.models import Approver
from catalog.curation.access import require_curator
from catalog.employers.service import FormProblem
from catalog.portal import web
from catalog.portal.service import email_problem
from config.web import Principal, db, protect, url

bp = protect(Blueprint("credit_policy", __name__), by=Principal.EITHER)

FIELDS = ("hours_per_credit", "minimum_grade_percent", "reflection_required", "approver")


def _page(actor: Actor, form: web.FormState, invite: web.FormState, status: int = 200
          ) -> tuple[str, int]:
    assert actor.institution_id is not None
    session = db()
    policy = service.policy_for(session, institution_id=actor.institution_id)
    officers = service.officers(session, institution_id=actor.institution_id)
    return render_template(
        "catalog/credit_office/policy.html.jinja2", actor=actor, form=form, invite=invite,
        policy=policy, officers=officers, approvers=[(a.value, a.label) for a in Approver],
        no_officer=policy.needs_officer and not officers,
    ), status


def _filled(policy: service.Policy) -> web.FormState:
    return web.FormState(values={
        "hours_per_credit": format(policy.hours_per_credit.normalize(), "f"),
        "minimum_grade_percent": format(policy.minimum_grade_percent.normalize(), "f"),
        "reflection_required": "yes" if policy.reflection_required else "no",
        "approver": policy.approver.value,
    })


@bp.get("/curation/credit-policy")
def policy() -> tuple[str, int]:
    actor = require_curator()
    found = service.policy_for(db(), institution_id=actor.institution_id)
    return _page(actor, _filled(found), web.FormState())


@bp.post("/curation/credit-policy")
def save() -> tuple[str, int] | Response:
    actor = require_curator()
    form = web.FormState.read(*FIELDS)
    chosen, form.errors = service.parse_policy(form.values)
    if chosen is None:
        return _page(actor, form, web.FormState(), 422)
    service.save_policy(db(), actor=actor, policy=chosen)
    db().commit()
    flash("Credit policy saved. It applies to credit decided from now on.")
    return redirect(url("credit_policy.policy"), code=303)


@bp.post("/curation/credit-officers")
def invite() -> tuple[str, int] | Response:
    actor = require_curator()
    form = web.FormState.read("email", "name")
    problem = email_problem(form.value("email"))
    if problem:
        form.errors["email"] = problem
    else:
        try:
            account = service.invite_officer(
                db(), actor=actor, email=form.value("email"), name=form.value("name")[:200],
                policy=web.link_policy(), link_for=web.link_builder("credit_office.confirm"),
            )
        except FormProblem as exc:
            db().rollback()
            form.errors[exc.field] = exc.message
        else:
            db().commit()
            flash(f"{account.email} can now sign in as a credit officer.")
            return redirect(url("credit_policy.policy") + "#officers", code=303)
    found = service.policy_for(db(), institution_id=actor.institution_id)
    return _page(actor, _filled(found), form, 422)

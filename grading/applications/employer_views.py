"""The employer portal's application pages (/employer/applications): the organisation's own
projects that take applications, each applicant under a pseudonym until the employer selects
them and they consented to be named (every name shown is logged as a disclosure)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response

from catalog.employers.access import require_member
from catalog.employers.models import EmployerMember
from config.database import utcnow
from config.web import NotFound, Principal, db, protect
from grading.applications import rules, service
from grading.choices.models import ChoiceOption
from grading.placements.catalog_project import employer_id_of

bp = Blueprint("employer_applications", __name__, url_prefix="/employer/applications")
protect(bp, by=Principal.COOKIE)


@bp.after_request
def not_kept(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")  # student answers
    return response


def _own(member: EmployerMember, option_id: int) -> ChoiceOption:
    option = db().get(ChoiceOption, option_id)
    if option is None or service.call_for(db(), option.id) is None \
            or employer_id_of(db(), option.placement) != member.employer_id:
        raise NotFound("No project of yours takes applications here.", title="Not found")
    return option


@bp.get("/")
def index() -> str:
    member = require_member()
    found = service.options_of_employer(db(), member.employer_id)
    return render_template("grading/applications/employer_index.html.jinja2", member=member, found=found)


@bp.get("/<int:option_id>")
def applicants(option_id: int) -> str:
    member = require_member()
    option = _own(member, option_id)
    call = service.call_for(db(), option.id)
    shown = service.applicants(db(), option=option, employer_id=member.employer_id,
                               employer_name=member.employer.name, viewer_id=member.id,
                               viewer_label=member.email)
    db().commit()  # the disclosure log
    today = utcnow().date()
    return render_template("grading/applications/employer_applicants.html.jinja2", member=member,
                           option=option, call=call, applicants=shown, today=today,
                           open=call is not None and today <= call.select_by, in_words=rules.in_words,
                           saved=request.args.get("saved", ""))


@bp.post("/<int:option_id>")
def decide(option_id: int) -> Response:
    member = require_member()
    option = _own(member, option_id)
    decisions = []
    for key, value in request.form.items():
        if not key.startswith("decision_"):
            continue
        raw_id = key.removeprefix("decision_")
        if not raw_id.isdigit():
            raise NotFound("That application is not one of this project's.", title="Unknown application")
        rank = rules.parse_rank(request.form.get(f"rank_{raw_id}", ""))
        decisions.append((int(raw_id), value, rank))
    service.decide(db(), option=option, decisions=decisions, today=utcnow().date())
    db().commit()
    return redirect(url_for("employer_applications.applicants", option_id=option.id, saved="1"), code=303)

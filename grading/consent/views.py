"""The learner's consent page: start taking part, give or withdraw consent, anonymous sharing.

Thin views: parse, call one service, commit, redirect or render.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

from config.database import utcnow
from config.forms import FieldError, FormState
from config.web import Principal, db, protect, url
from grading.consent import log_lines
from grading.consent import service as consent
from grading.people.models import Person
from grading.placements.access import launched_into
from grading.placements.catalog_project import project_info
from grading.placements.models import Placement

bp = Blueprint("consent", __name__)
protect(bp, by=Principal.LAUNCH)


@bp.post("/work/<int:placement_id>/start")
def start(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    consent.ensure_participation(db(), placement=placement, person=person, start=True)
    db().commit()
    return redirect(url("dashboards.student_page", placement_id=placement_id), code=303)


@bp.get("/work/<int:placement_id>/consent")
def page(placement_id: int) -> str:
    _, placement, person = launched_into(placement_id)
    return _page(placement, person)


def _page(placement: Placement, person: Person, form: FormState | None = None) -> str:
    """The consent page; ``form`` is a refused consent, shown again as the student filled it."""
    session = db()
    info = project_info(session, placement)
    # Only read: the pseudonym is drawn when the learner starts, consents or chooses sharing.
    part = consent.participation(session, placement_id=placement.id, person_id=person.id)
    return render_template(
        "grading/consent/page.html.jinja2", placement=placement, person=person, info=info,
        participation=part, records=consent.OPTIONAL_RECORDS,
        current=consent.current(session, placement_id=placement.id, person_id=person.id),
        history=consent.history(session, placement_id=placement.id, person_id=person.id),
        purpose=consent.purpose(info.employer_name, placement.title),
        disclosures=log_lines.grouped(consent.disclosures_for_student(
            session, placement_id=placement.id, person_id=person.id)),
        today=date.today(), form=form or FormState(),
    )


@bp.post("/work/<int:placement_id>/consent")
def give(placement_id: int) -> Response | tuple[str, int]:
    _, placement, person = launched_into(placement_id)
    try:
        consent.give(db(), placement=placement, person=person, records=request.form.getlist("records"),
                     signature=request.form.get("signature", ""), today=utcnow().date())
    except FieldError as error:
        db().rollback()
        return _page(placement, person, FormState.refused(request.form, error)), error.status
    db().commit()
    return redirect(url("consent.page", placement_id=placement_id), code=303)


@bp.post("/work/<int:placement_id>/consent/withdraw")
def withdraw(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    consent.withdraw(db(), placement_id=placement.id, person_id=person.id)
    db().commit()
    return redirect(url("consent.page", placement_id=placement_id), code=303)


@bp.post("/work/<int:placement_id>/sharing")
def sharing(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    consent.set_anonymous_sharing(db(), placement=placement, person=person,
                                  share=request.form.get("share") == "yes")
    db().commit()
    return redirect(url("consent.page", placement_id=placement_id), code=303)

"""The credit office's pages: sign-in by emailed link, the recommendations waiting for a
decision (approve, or return with a note), and the registrar's CSV export.

A credit officer account signs in with the cookie session; an LMS Administrator launched
from the LMS acts from the launch (then these pages sit in the LMS iframe)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from catalog.actors import Actor
from catalog.credit_office import service as office
from catalog.credit_office.access import require_credit_officer
from catalog.portal.sign_in_views import Portal, add_sign_in_routes
from config.database import utcnow
from config.web import NotFound, Principal, db, protect, url
from grading.credit import approval, export, service
from grading.credit.approval import Who
from grading.placements.models import Placement

bp = protect(Blueprint("credit_office", __name__), by=Principal.EITHER)

PORTAL = Portal(
    name="Credit office sign-in", blueprint="credit_office", kind=office.KIND,
    home="credit_office.queue", request_sign_in=office.request_sign_in,
    complete_sign_in=office.complete_sign_in,
)
add_sign_in_routes(bp, PORTAL, prefix="/credit-office")


def _who(actor: Actor) -> Who:
    return Who(kind=actor.kind.value, label=f"{actor.label} (credit office)", id=actor.id)


def _institution(actor: Actor) -> int:
    assert actor.institution_id is not None  # both kinds of credit officer have one
    return actor.institution_id


@bp.get("/credit-office/")
def queue() -> str:
    actor = require_credit_officer()
    session = db()
    institution_id = _institution(actor)
    policy = office.policy_for(session, institution_id=institution_id)
    items = []
    for item in approval.waiting(session, institution_id=institution_id):
        credit = service.student_credit(session, placement=item.placement, person=item.person,
                                        policy=policy)
        items.append((item, credit, approval.steps(session, record_id=item.record.id),
                      service.rendered(credit.reflection) if credit.reflection else None))
    today = utcnow().date()
    return render_template("grading/credit/office.html.jinja2", actor=actor, items=items,
                           policy=policy, today=today, year_ago=today - timedelta(days=365))


@bp.post("/credit-office/placements/<int:placement_id>/students/<int:person_id>/decide")
def decide(placement_id: int, person_id: int) -> BaseResponse:
    actor = require_credit_officer()
    session = db()
    record = approval.record_for_officer(session, institution_id=_institution(actor),
                                         placement_id=placement_id, person_id=person_id)
    found = session.get(Placement, record.placement_id)
    if found is None:  # pragma: no cover (the record's foreign key keeps it)
        raise NotFound("This placement no longer exists.")
    credit = service.student_credit(
        session, placement=found, person=service.learner_in(session, placement=found, person_id=person_id),
        policy=office.policy_for(session, institution_id=record.institution_id))
    note = request.form.get("note", "")
    if request.form.get("decision") == "approve":
        approval.approve(session, record=record, credit=credit, who=_who(actor), note=note)
    else:
        approval.send_back(session, record=record, who=_who(actor), note=note)
    session.commit()
    flash(f"{credit.person.display_name()}: {record.credit_state.label}.")
    return redirect(url("credit_office.queue"), code=303)


@bp.get("/credit-office/export.csv")
def export_csv() -> Response:
    actor = require_credit_officer()
    period = export.Period.parse(request.args.get("from", ""), request.args.get("to", ""),
                                 today=utcnow().date())
    rows = export.approved_credits(db(), institution_id=_institution(actor), period=period)
    response = Response(export.to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="approved-credits-{period.start}-{period.end}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response

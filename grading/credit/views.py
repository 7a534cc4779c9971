"""Credit inside the LMS: the instructor's credit page for a placement (settings, verified
hours, recommendations) and the student's reflection. Thin views: parse, one service call,
commit, redirect."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers.response import Response

from catalog.credit_office.service import has_officer
from config import runtime
from config.web import Principal, db, protect, url
from grading.credentials import completion
from grading.credit import approval, service
from grading.credit.access import instructor_credit, instructor_who
from grading.credit.models import VerifierKind
from grading.credit.service import CreditRefused
from grading.placements.access import launched_into
from grading.teams import service as teams

bp = protect(Blueprint("credit", __name__), by=Principal.LAUNCH)


def _back(placement_id: int, anchor: str = "", *, saved: str, issued: int = 0,
          student: int = 0) -> Response:
    """Back to the credit page, saying what was saved in the address, not in a flashed
    message: inside the LMS frame the browser may keep no cookie for Microbridge."""
    extra = {k: v for k, v in (("issued", issued), ("student", student)) if v}
    return redirect(url("credit.placement", placement_id=placement_id, saved=saved, **extra)
                    + anchor, code=303)


def _confirmation(students: list[service.StudentCredit]) -> str:
    """What the last POST did, read back from the address (only known words and ids)."""
    saved = request.args.get("saved", "")
    issued = request.args.get("issued", "")
    if saved == "credit":
        return "Credit settings saved."
    if saved in ("no-credit", "no-credit-badge"):
        text = "This placement does not bear credit" + (
            "; completing it earns a badge." if saved == "no-credit-badge" else ".")
        if issued.isdigit() and int(issued):
            text += f" Badges issued to {int(issued)} student(s) who had already completed it."
        return text
    if saved in ("hours", "hours-reopened"):
        return "Hours verified." + (
            " The credit decision was reopened: recommend again." if saved == "hours-reopened" else "")
    if saved == "decided":
        person_id = request.args.get("student", "")
        for credit in students:
            if str(credit.person.id) == person_id and credit.record is not None:
                return f"{credit.person.display_name()}: {credit.record.credit_state.label}."
    return ""


@bp.get("/course/placements/<int:placement_id>/credit")
def placement(placement_id: int) -> str:
    identity, found, policy = instructor_credit(placement_id)
    session = db()
    students = [service.student_credit(session, placement=found, person=p, policy=policy)
                for p in teams.learners(session, placement=found)]
    page = render_template(
        "grading/credit/placement.html.jinja2", placement=found, policy=policy,
        settings=service.settings_of(session, placement_id=found.id), students=students,
        steps={s.record.id: approval.steps(session, record_id=s.record.id)
               for s in students if s.record},
        estimate=service.estimated_credits(session, placement=found, policy=policy),
        waits_for_nobody=policy.needs_officer and not has_officer(
            session, institution_id=identity.institution_id),
        confirmation=_confirmation(students),
    )
    session.commit()  # learners() may have added people known only from the roster
    return page


@bp.post("/course/placements/<int:placement_id>/credit/settings")
def settings(placement_id: int) -> Response:
    identity, found, _ = instructor_credit(placement_id)
    bearing = request.form.get("credit_bearing") == "yes"
    row = service.set_placement_credit(
        db(), placement=found, credit_bearing=bearing, person_id=identity.person_id,
        credits=service.parse_credits(request.form.get("credits", "")) if bearing else None,
        badge_on_completion=request.form.get("badge_on_completion") == "on",
    )
    issued = completion.catch_up(db(), placement=found,
                                 base_url=runtime.current().settings.base_url)
    db().commit()
    saved = "credit" if bearing else "no-credit-badge" if row.badge_on_completion else "no-credit"
    return _back(placement_id, saved=saved, issued=issued)


@bp.post("/course/placements/<int:placement_id>/credit/students/<int:person_id>/hours")
def verify_hours(placement_id: int, person_id: int) -> Response:
    identity, found, _ = instructor_credit(placement_id)
    session = db()
    who = instructor_who(session, identity)
    verification = service.verify_hours(
        session, placement=found, person=service.learner_in(session, placement=found, person_id=person_id),
        raw_hours=request.form.get("hours", ""), note=request.form.get("note", ""),
        verifier_kind=VerifierKind.INSTRUCTOR, verifier_id=identity.person_id, verifier_label=who.label,
    )
    reopened = approval.after_verification(session, verification=verification, who=who)
    session.commit()
    return _back(placement_id, f"#student-{person_id}", saved="hours-reopened" if reopened else "hours")


@bp.post("/course/placements/<int:placement_id>/credit/students/<int:person_id>/decide")
def decide(placement_id: int, person_id: int) -> Response:
    identity, found, policy = instructor_credit(placement_id)
    session = db()
    credit = service.student_credit(
        session, placement=found, person=service.learner_in(session, placement=found, person_id=person_id),
        policy=policy)
    who, note = instructor_who(session, identity), request.form.get("note", "")
    try:
        if request.form.get("decision") == "recommend":
            approval.recommend(session, placement=found, credit=credit, who=who, note=note,
                               institution_id=identity.institution_id, policy=policy)
        else:
            approval.decline(session, placement=found, credit=credit, who=who, reason=note,
                             institution_id=identity.institution_id)
        session.commit()
    except IntegrityError:  # the same recommendation sent twice at once: the first one stands
        session.rollback()
        raise CreditRefused("Credit for this student was decided a moment ago; reload the page.",
                            title="Already decided") from None
    return _back(placement_id, f"#student-{person_id}", saved="decided", student=person_id)


@bp.post("/work/<int:placement_id>/reflection")
def reflection(placement_id: int) -> Response:
    _, found, person = launched_into(placement_id)
    service.save_reflection(
        db(), placement=found, person=person, what_i_did=request.form.get("what_i_did", ""),
        skills_used=request.form.get("skills_used", ""),
        what_i_learned=request.form.get("what_i_learned", ""),
    )
    db().commit()
    return redirect(url("dashboards.student_page", placement_id=placement_id) + "#credit", code=303)

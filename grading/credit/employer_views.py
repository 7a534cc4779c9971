"""The employer confirms or adjusts a student's hours from the review page (employer portal).

Only for a student whose work the employer may see (consent, or anonymous sharing): the hour
log is part of that work. The verification names the employer's member who made it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers.response import Response

from catalog.employers.access import require_member
from config import runtime
from config.web import NotAllowed, NotFound, Principal, db, protect
from grading.credit import approval, rules, service
from grading.credit.approval import Who
from grading.credit.models import VerifierKind
from grading.people.models import Person
from grading.reviews import service as reviews

bp = protect(Blueprint("employer_credit", __name__, url_prefix="/employer/reviews"),
             by=Principal.COOKIE)


@bp.post("/<int:submission_id>/hours")
def verify_hours(submission_id: int) -> Response:
    member = require_member()
    session = db()
    item = reviews.for_employer(session, employer_id=member.employer_id,
                                submission_id=submission_id,
                                review_days=runtime.current().settings.review_days)
    raw_id = request.form.get("person_id", "")
    shown = next((m for m in item.members if raw_id.isdigit() and m.person_id == int(raw_id)), None)
    if shown is None:
        raise NotFound("This student is not part of this submission.", title="Not found")
    if not shown.work_allowed:
        raise NotAllowed("The student has not shared this work with your organisation.",
                         title="Work not shared")
    person = session.get(Person, shown.person_id)
    assert person is not None  # a member view is made from the person's row
    who = Who(kind=VerifierKind.EMPLOYER.value, id=member.id,
              label=f"{member.email} ({member.employer.name})")
    verification = service.verify_hours(
        session, placement=item.placement, person=person, raw_hours=request.form.get("hours", ""),
        note=request.form.get("note", ""), verifier_kind=VerifierKind.EMPLOYER,
        verifier_id=member.id, verifier_label=who.label,
    )
    approval.after_verification(session, verification=verification, who=who)
    session.commit()
    flash(f"Hours verified for {shown.label}: {rules.number(verification.verified_hours)}.")
    return redirect(url_for("employer_reviews.show", submission_id=submission_id) + "#hours",
                    code=303)

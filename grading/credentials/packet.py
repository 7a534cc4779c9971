"""The evidence packet: one student's record of one placement, as a registrar files it.

The same record is a JSON document (schema: docs/evidence-packet.schema.json, version in
``schema_version``) signed with a detached JWS (RFC 7515 appendix F: ``header..signature``
over the base64url of the canonical JSON, issuer key), and a PDF a person reads (WeasyPrint
from the Jinja template ``grading/credentials/packet.html.jinja2``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution
from catalog.projects.models import ProjectRevision
from catalog.skills.service import label_of
from config.database import utcnow
from grading.consent import service as consent
from grading.credentials import keys
from grading.credentials.jose import Signer, canonical
from grading.credentials.service import active_for, endorsed_skills
from grading.credit import approval
from grading.credit import service as credit
from grading.people.models import Course, Person
from grading.placements.models import Placement
from grading.reviews.models import Review
from grading.reviews.records import reviews_of
from grading.reviews.service import rubric
from grading.submissions.access import member_ids
from grading.submissions.models import Submission

SCHEMA_VERSION = "1.0"


def _when(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment else None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _latest_review(session: Session, placement_id: int, person_id: int) -> Review | None:
    mine = [s.id for s in session.scalars(select(Submission).where(
        Submission.placement_id == placement_id).order_by(Submission.id))
        if person_id in member_ids(session, s)]
    found = [r for r in reviews_of(session, submission_ids=mine).values() if r.finalized_at]
    return max(found, key=lambda r: r.id) if found else None


def record(session: Session, *, placement: Placement, person: Person, base_url: str) -> dict[str, Any]:
    """The packet's content (no signature): what the PDF shows and the JSON carries."""
    revision = session.get(ProjectRevision, placement.project_revision_id)
    assert revision is not None
    course = session.get(Course, placement.course_id)
    credit_record = credit.record_of(session, placement_id=placement.id, person_id=person.id)
    institution = session.get(Institution, credit_record.institution_id) \
        if credit_record and credit_record.institution_id else None
    verification = credit.latest_verification(session, placement_id=placement.id,
                                              person_id=person.id)
    release = credit.latest_release_for(session, placement_id=placement.id, person_id=person.id)
    review = _latest_review(session, placement.id, person.id)
    scored = review.scores if review else {}
    criteria = []
    for criterion in rubric(session, placement):
        chosen = scored.get(str(criterion.id), {})
        level = next((lv for lv in criterion.levels if lv.id == chosen.get("level_id")), None)
        criteria.append({
            "criterion": criterion.title, "description": criterion.description,
            "points": level.points if level else None, "max_points": criterion.max_points,
            "level": level.label if level else None,
            "level_text": level.description if level else None})
    given = consent.current(session, placement_id=placement.id, person_id=person.id)
    credential = active_for(session, placement_id=placement.id, person_id=person.id)
    verify_url = f"{base_url}/credentials/verify/{credential.uuid}" if credential \
        else f"{base_url}/credentials/packets/verify"
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _when(utcnow()),
        "institution": institution.name if institution else None,
        "course": course.display_title() if course else None,
        "student": {"name": person.display_name(), "email": person.email or None,
                    "sis_id": person.sis_id or None},
        "project": {"title": revision.title, "summary": revision.summary,
                    "discipline": revision.discipline,
                    "start_date": revision.window_start.isoformat(),
                    "end_date": revision.window_end.isoformat()},
        "employer": revision.project.employer.name if revision.project.employer else None,
        "hours": {
            "logged": _number(credit.logged_hours(session, placement_id=placement.id,
                                                  person_id=person.id)),
            "verified": _number(verification.verified_hours) if verification else None,
            "verified_by": verification.verifier_label if verification else None,
            "verified_at": _when(verification.created_at) if verification else None,
            "note": verification.note if verification else None},
        "grade": {"score": release.score_given if release else None,
                  "maximum": release.score_maximum if release else None,
                  "released_at": _when(release.released_at) if release else None},
        "rubric": criteria,
        "employer_feedback": review.feedback_md if review else None,
        "endorsed_skills": [label_of(s) for s in endorsed_skills(
            session, placement_id=placement.id, person_id=person.id)],
        "credit": None if credit_record is None else {
            "state": credit_record.state, "credits": _number(credit_record.credits),
            "verified_hours": _number(credit_record.verified_hours),
            "grade_percent": _number(credit_record.grade_percent),
            "approved_at": _when(credit_record.approved_at),
            "approver": credit_record.approver_label or None},
        "approvals": [] if credit_record is None else [
            {"action": step.action, "by": step.actor_label, "at": _when(step.created_at),
             "note": step.note} for step in approval.steps(session, record_id=credit_record.id)],
        "consent": {
            "in_force": given is not None,
            "statement": given.statement if given else None,
            "given_at": _when(given.given_at) if given else None,
            "note": "The employer saw the student's identity and work only under this consent."
            if given else "No consent in force: the employer knew the student by a pseudonym "
                          "only. The employer's name appears here as the issuer's record."},
        "credential": credential.uuid if credential else None,
        "verification_url": verify_url,
    }


def signed(session: Session, document: dict[str, Any], *, base_url: str) -> dict[str, Any]:
    """The JSON download: the record and its detached JWS over ``canonical(record)``."""
    signer = Signer(keys.ensure(session), base_url)
    return {"packet": document, "signature": signer.detached(canonical(document))}

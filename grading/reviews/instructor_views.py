"""The instructor's review pages inside the LMS: moderation and release per placement, the
instructor's own grade when the employer is overdue, and the submission review landing
(LtiSubmissionReviewRequest: opened from the LMS gradebook for one student)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

from catalog.curation.access import require_curator
from config import runtime
from config.forms import FieldError, FormState
from config.web import NotFound, Principal, db, launch_identity, protect, require_instructor, url
from grading import launches
from grading.dashboards.submission_history import history_for
from grading.placements import access
from grading.placements.catalog_project import project_info
from grading.placements.models import Placement
from grading.reviews import forms, release, service
from grading.submissions import service as submissions

bp = Blueprint("reviews", __name__)
# Instructors act from their launch; the feedback-times page also serves curators.
protect(bp, by=Principal.EITHER)


def _placement(placement_id: int) -> tuple[int, Placement]:
    identity = require_instructor()
    found = access.placement_in_course(db(), identity=identity, placement_id=placement_id)
    return identity.person_id, found


def _back(placement_id: int) -> Response:
    return redirect(url("reviews.placement", placement_id=placement_id), code=303)


@bp.get("/reviews/placements/<int:placement_id>")
def placement(placement_id: int) -> str:
    _, found = _placement(placement_id)
    return _page(found)


def _page(found: Placement, form: FormState | None = None) -> str:
    """The moderation page; ``form`` is a refused approve or grade form, shown again in place."""
    session = db()
    info = project_info(session, found)
    days = runtime.current().settings.review_days
    rows = release.moderation(session, placement=found, review_days=days)
    medians = service.median_feedback_days(
        session, employer_ids=[info.employer.id] if info.employer else []
    )
    return render_template(
        "grading/reviews/placement.html.jinja2", placement=found, info=info, rows=rows,
        median=medians.get(info.employer.id) if info.employer else None, review_days=days,
        names=release.owner_names(session, [row.submission for row in rows]),
        form=form or FormState(),
    )


def _refused(found: Placement, error: FieldError, *, action: str, submission_id: int) -> tuple[str, int]:
    db().rollback()
    state = FormState.refused(request.form, error, target=f"{action}-{submission_id}")
    return _page(found, state), error.status


@bp.post("/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/approve")
def approve(placement_id: int, submission_id: int) -> Response | tuple[str, int]:
    person_id, found = _placement(placement_id)
    try:
        release.approve(
            db(), placement=found, submission_id=submission_id, instructor_id=person_id,
            score=forms.score(request.form.get("score", ""), required=False),
            reason=request.form.get("reason", ""),
        )
    except FieldError as error:
        return _refused(found, error, action="approve", submission_id=submission_id)
    db().commit()
    return _back(placement_id)


@bp.post("/reviews/placements/<int:placement_id>/submissions/<int:submission_id>/grade")
def grade(placement_id: int, submission_id: int) -> Response | tuple[str, int]:
    person_id, found = _placement(placement_id)
    try:
        given = forms.score(request.form.get("score", ""), required=True)
        assert given is not None
        release.grade_by_instructor(
            db(), placement=found, submission_id=submission_id, instructor_id=person_id, score=given,
            feedback_md=request.form.get("feedback", ""),
        )
    except FieldError as error:
        return _refused(found, error, action="grade", submission_id=submission_id)
    db().commit()
    return _back(placement_id)


@bp.get("/reviews/submission-review")
def submission_review() -> str:
    """The LMS gradebook opened one student's submission: show it with its review and grades."""
    identity = require_instructor()
    session = db()
    found = access.placement_for_launch(session, identity=identity)
    sub = launches.for_user_sub(identity)
    if found is None or sub is None:
        raise NotFound("This link has no Microbridge project, or the LMS did not say which "
                       "student's work to show.", title="Nothing to show")
    submission = submissions.latest_for_learner(session, placement=found, person_sub=sub)
    if submission is None:
        raise NotFound("This student has not submitted work for this project yet.",
                       title="No submission yet")
    return render_template("grading/submissions/show.html.jinja2", submission=submission,
                           placement=found, identity=identity,
                           history=history_for(session, submission=submission, identity=identity))


@bp.get("/reviews/employers")
def feedback_times() -> str:
    """For curators (and instructors): how quickly each employer gives feedback."""
    identity = launch_identity()
    if identity is not None and identity.is_instructor:
        institution_id = identity.institution_id
    else:
        institution_id = require_curator().institution_id
    return render_template("grading/reviews/feedback_times.html.jinja2",
                           rows=service.feedback_times(db(), institution_id=institution_id))

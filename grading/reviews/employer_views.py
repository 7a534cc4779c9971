"""The employer portal's review pages (/employer/reviews): the submissions to the
organisation's own projects, each shown with the identity the student's consent allows,
every view and file download logged as a disclosure, and the rubric review form.

Work is shown (and the disclosure logged) only when the employer opened it on purpose: a
link from another site gets a page that asks first (config.navigation)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response

from catalog.employers.access import require_member
from catalog.employers.models import EmployerMember
from catalog.markdown import render
from config import navigation, runtime
from config.forms import FieldError, FormState
from config.web import Principal, UserFacingError, db, protect, read_only
from grading.consent import service as consent
from grading.credit import service as credit
from grading.placements.catalog_project import project_info
from grading.reviews import forms, service
from grading.reviews.service import EmployerSubmission
from grading.submissions import service as submissions
from grading.submissions.models import SubmissionFile
from grading.submissions.web import send_stored

bp = Blueprint("employer_reviews", __name__, url_prefix="/employer/reviews")
protect(bp, by=Principal.COOKIE)


@bp.after_request
def not_kept(response: Response) -> Response:
    # Student records: no browser or proxy copy may answer a later request, which would be a
    # disclosure nobody logged. The answer differs with how the page was reached.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.vary.add("Sec-Fetch-Site")
    response.vary.add("Referer")
    return response


def _days() -> int:
    return runtime.current().settings.review_days


def _item(member: EmployerMember, submission_id: int) -> EmployerSubmission:
    return service.for_employer(db(), employer_id=member.employer_id, submission_id=submission_id,
                                review_days=_days())


def _disclose(member: EmployerMember, item: EmployerSubmission, action: str) -> None:
    consent.log_disclosure(
        db(), placement=item.placement, members=item.members, employer_id=member.employer_id,
        employer_name=member.employer.name, viewer_id=member.id, viewer_label=member.email,
        action=action, submission_id=item.submission.id,
    )


def _opened_on_purpose() -> bool:
    return navigation.deliberate(
        method=request.method, fetch_site=request.headers.get("Sec-Fetch-Site"),
        referer=request.headers.get("Referer"),
        own_origin=navigation.origin(runtime.current().settings.base_url),
    )


def shown_filename(item: EmployerSubmission, upload: SubmissionFile) -> str:
    """A file's own name only when every member is identified: names in files identify too."""
    identified = bool(item.members) and all(m.identified for m in item.members)
    return upload.filename if identified else upload.anonymous_name()


@bp.get("/")
@read_only
def inbox() -> str:
    member = require_member()
    session = db()
    items = service.inbox(session, employer_id=member.employer_id, review_days=_days())
    median = service.median_feedback_days(session, employer_ids=[member.employer_id])
    # Work a student did not share is no task of the employer's: only an anonymous count.
    shared = [item for item in items if item.work_visible]
    return render_template("grading/reviews/employer_inbox.html.jinja2", member=member,
                           items=shared, not_shared=len(items) - len(shared),
                           median=median[member.employer_id])


@bp.get("/<int:submission_id>")
def show(submission_id: int) -> str:
    member = require_member()
    item = _item(member, submission_id)
    if not _opened_on_purpose():
        return render_template("grading/reviews/employer_open.html.jinja2", member=member,
                               submission_id=item.submission.id)
    return _review_page(member, item, saved=request.args.get("saved", ""))


def _review_page(
    member: EmployerMember, item: EmployerSubmission, *, saved: str = "", form: FormState | None = None
) -> str:
    """The work and the review form (logged as a disclosure when the work is shown); ``form``
    is a refused review, shown again with what the reviewer chose and typed."""
    session = db()
    if item.work_visible:
        _disclose(member, item, f"viewed the submission (attempt {item.submission.attempt})")
    session.commit()
    return render_template(
        "grading/reviews/employer_review.html.jinja2", member=member, item=item,
        criteria=service.rubric(session, item.placement),
        revision=project_info(session, item.placement).revision,
        shown_filename=shown_filename,
        text_html=render(item.submission.text_md) if item.work_visible else "",
        outcome=service.outcome_for_employer(session, item),
        saved=saved, form=form or FormState(),
        feedback_html=render(item.review.feedback_md) if item.review and item.review.is_final else "",
        hours=credit.member_hours(session, placement_id=item.placement.id, members=item.members),
    )


@bp.get("/<int:submission_id>/files/<int:file_id>")
def download(submission_id: int, file_id: int) -> Response:
    member = require_member()
    item = _item(member, submission_id)
    if not item.work_visible:
        raise UserFacingError("The student has not shared this work with your organisation.",
                              title="Work not shared", status=403)
    session = db()
    upload = submissions.file_of(session, submission=item.submission, file_id=file_id)
    if not _opened_on_purpose():
        return redirect(url_for("employer_reviews.show", submission_id=item.submission.id), code=303)
    name = shown_filename(item, upload)
    _disclose(member, item, f"downloaded the file {name}")
    session.commit()
    return send_stored(upload.stored.sha256, media_type=upload.media_type, filename=name)


@bp.post("/<int:submission_id>")
def save(submission_id: int) -> Response | tuple[str, int]:
    member = require_member()
    item = _item(member, submission_id)
    session = db()
    try:
        review = service.submit_review(
            session, item=item, member=member, data=forms.review_input(request.form),
            final=request.form.get("action") == "final",
        )
    except FieldError as error:
        session.rollback()  # nothing half-saved: the form comes back as it was sent
        state = FormState.refused(request.form, error)
        return _review_page(member, _item(member, submission_id), form=state), error.status
    session.commit()
    saved = "final" if review.is_final else "draft"
    return redirect(url_for("employer_reviews.show", submission_id=submission_id, saved=saved), code=303)

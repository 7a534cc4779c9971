"""Handing in work and seeing it: the submit form's target, one attempt's page, its files.

Thin views: parse, call one service, commit, redirect or render. Forms carry the launch
session and a CSRF token; links carry the launch session (``url``).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers.response import Response

from config.forms import FieldError, FormState
from config.web import Principal, UserFacingError, db, protect, require_launch, url
from grading import runtime as grading_runtime
from grading.dashboards.pages import render_student_page
from grading.dashboards.submission_history import history_for
from grading.placements.access import launched_into
from grading.placements.models import Placement
from grading.submissions import access
from grading.submissions import service as submissions
from grading.submissions.web import fields_before_files, limits, review_link, send_stored

bp = Blueprint("submissions", __name__)
protect(bp, by=Principal.LAUNCH)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    # Refused before the files are read or stored; the message names the limit. The text and
    # links come before the files in the form, so they are read back and shown again.
    message = (f"These files together are larger than {limits().submission_label}, the limit "
               f"for one submission (each file may be at most {limits().file_label}).")
    placement_id = (request.view_args or {}).get("placement_id")
    if request.endpoint == "submissions.submit" and isinstance(placement_id, int):
        try:
            _, placement, person = launched_into(placement_id)
        except UserFacingError:  # no launch to show the page in: the plain page below
            pass
        else:
            sent = fields_before_files(request.environ, request.content_type or "")
            state = FormState.refused(sent, FieldError({"files": message}))
            return render_student_page(placement, person, state), 413
    return render_template("error.html.jinja2", title="Too large", message=message,
                           hint=f"Each file may be at most {limits().file_label}.", reference=""), 413


@bp.post("/work/<int:placement_id>/submit")
def submit(placement_id: int) -> Response | tuple[str, int]:
    identity, placement, person = launched_into(placement_id)
    if identity.is_instructor:
        raise UserFacingError("Instructors do not submit work here.", status=403)
    uploads = [submissions.Upload(f.filename or "file", f.stream)
               for f in request.files.getlist("files") if f.filename]
    try:
        submitted = submissions.submit(
            db(), placement=placement, person=person, text_md=request.form.get("text", ""),
            links=request.form.get("links", ""), uploads=uploads,
            form_token=request.form.get("form_token", ""), store=grading_runtime.current().files,
            limits=limits(), review_url=review_link,
        )
    except FieldError as error:
        db().rollback()  # nothing half-saved; the form comes back with the text and links
        return render_student_page(placement, person, FormState.refused(request.form, error)), error.status
    db().commit()
    submissions.remove_collected(db(), grading_runtime.current().files)
    return redirect(url("submissions.show", submission_id=submitted.id), code=303)


@bp.get("/work/submissions/<int:submission_id>")
def show(submission_id: int) -> str:
    identity = require_launch()
    session = db()
    found = access.submission_for_viewer(session, identity=identity, submission_id=submission_id)
    placement = session.get(Placement, found.placement_id)
    return render_template("grading/submissions/show.html.jinja2", submission=found,
                           placement=placement, identity=identity,
                           history=history_for(session, submission=found, identity=identity))


@bp.get("/work/submissions/<int:submission_id>/files/<int:file_id>")
def download(submission_id: int, file_id: int) -> Response:
    identity = require_launch()
    session = db()
    found = access.submission_for_viewer(session, identity=identity, submission_id=submission_id)
    item = submissions.file_of(session, submission=found, file_id=file_id)
    return send_stored(item.stored.sha256, media_type=item.media_type, filename=item.filename)

"""The student's pages inside the LMS iframe: the project, consent, teams, progress, work.

Thin views: parse, call one service, commit, redirect or render. Forms carry the launch
session and a CSRF token; links carry the launch session (``url``).
"""

from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers.response import Response

from catalog.portal.web import protect
from config import runtime
from config.database import utcnow
from config.web import LaunchIdentity, UserFacingError, db, require_launch, url
from grading.people.models import Person
from grading.placements.models import Placement
from grading.work import access, consent, page, progress, submissions, teams
from grading.work.storage import file_store

bp = Blueprint("work", __name__)
protect(bp)


def limits() -> submissions.Limits:
    return submissions.Limits.from_settings(runtime.current().settings)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    # Refused before anything is read or stored; the message names the limit.
    message = (f"What you sent is larger than {limits().submission_label}, the limit for one "
               "submission. Nothing was saved.")
    return render_template("error.html.jinja2", title="Too large", message=message,
                           hint=f"Each file may be at most {limits().file_label}.", reference=""), 413


def _learner(placement_id: int) -> tuple[LaunchIdentity, Placement, Person]:
    identity = require_launch()
    session = db()
    placement = access.placement_in_course(session, identity=identity, placement_id=placement_id)
    return identity, placement, access.person(session, identity)


def _back(placement_id: int, anchor: str = "") -> Response:
    return redirect(url("work.project", placement_id=placement_id) + (f"#{anchor}" if anchor else ""),
                    code=303)


def review_link(submission_id: int) -> str:
    """Where the work (and later its review) is seen in the tool: the link the LMS shows."""
    return runtime.current().settings.base_url + url_for("work.submission", submission_id=submission_id)


@bp.get("/work")
def landing() -> Response | str:
    identity = require_launch()
    placement = access.placement_for_launch(db(), identity=identity)
    if placement is None:
        return render_template("grading/work/no_project.html.jinja2")
    if identity.is_instructor:
        return redirect(url("work_manage.overview", placement_id=placement.id), code=303)
    return redirect(url("work.project", placement_id=placement.id), code=303)


@bp.get("/work/<int:placement_id>")
def project(placement_id: int) -> str:
    _, placement, person = _learner(placement_id)
    session = db()
    data = page.student_page(session, placement=placement, person=person, limits=limits(), now=utcnow())
    session.commit()
    return render_template("grading/work/project.html.jinja2", page=data,
                           form_token=secrets.token_urlsafe(24))


@bp.post("/work/<int:placement_id>/start")
def start(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    consent.ensure_participation(db(), placement=placement, person=person, start=True)
    db().commit()
    return _back(placement_id)


# -- consent -------------------------------------------------------------------------------


@bp.get("/work/<int:placement_id>/consent")
def consent_page(placement_id: int) -> str:
    _, placement, person = _learner(placement_id)
    session = db()
    info = access.project_info(session, placement)
    part = consent.ensure_participation(session, placement=placement, person=person)
    session.commit()
    return render_template(
        "grading/work/consent.html.jinja2", placement=placement, person=person, info=info,
        participation=part, records=consent.OPTIONAL_RECORDS,
        current=consent.current(session, placement_id=placement.id, person_id=person.id),
        history=consent.history(session, placement_id=placement.id, person_id=person.id),
        purpose=consent.purpose(info.employer_name, placement.title),
        disclosures=consent.disclosures_for_student(session, placement_id=placement.id,
                                                    person_id=person.id),
        today=date.today(),
    )


@bp.post("/work/<int:placement_id>/consent")
def give_consent(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    consent.give(db(), placement=placement, person=person, records=request.form.getlist("records"),
                 signature=request.form.get("signature", ""), today=utcnow().date())
    db().commit()
    return redirect(url("work.consent_page", placement_id=placement_id), code=303)


@bp.post("/work/<int:placement_id>/consent/withdraw")
def withdraw_consent(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    consent.withdraw(db(), placement_id=placement.id, person_id=person.id)
    db().commit()
    return redirect(url("work.consent_page", placement_id=placement_id), code=303)


@bp.post("/work/<int:placement_id>/sharing")
def sharing(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    consent.set_anonymous_sharing(db(), placement=placement, person=person,
                                  share=request.form.get("share") == "yes")
    db().commit()
    return redirect(url("work.consent_page", placement_id=placement_id), code=303)


# -- teams ---------------------------------------------------------------------------------


@bp.post("/work/<int:placement_id>/team/join/<int:team_id>")
def join_team(placement_id: int, team_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    teams.join(db(), placement=placement, person=person, team_id=team_id)
    db().commit()
    return _back(placement_id, "team")


@bp.post("/work/<int:placement_id>/team/new")
def new_team(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    teams.start_team(db(), placement=placement, person=person)
    db().commit()
    return _back(placement_id, "team")


@bp.post("/work/<int:placement_id>/team/leave")
def leave_team(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    teams.leave(db(), placement=placement, person=person)
    db().commit()
    return _back(placement_id, "team")


# -- milestones and hours ------------------------------------------------------------------


@bp.post("/work/<int:placement_id>/milestones/<int:milestone_id>/check-in")
def check_in(placement_id: int, milestone_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    progress.check_in(db(), placement=placement, person=person, milestone_id=milestone_id,
                      text=request.form.get("text", ""))
    db().commit()
    return _back(placement_id, "milestones")


@bp.post("/work/<int:placement_id>/hours")
def log_hours(placement_id: int) -> Response:
    _, placement, person = _learner(placement_id)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        raise UserFacingError("Give the day as a date, such as 2026-03-14.",
                              title="Date not understood") from None
    progress.log_hours(db(), placement=placement, person=person, day=day,
                       hours=progress.parse_hours(request.form.get("hours", "")),
                       note=request.form.get("note", ""), today=utcnow().date())
    db().commit()
    return _back(placement_id, "hours")


# -- submissions ---------------------------------------------------------------------------


@bp.post("/work/<int:placement_id>/submit")
def submit(placement_id: int) -> Response:
    identity, placement, person = _learner(placement_id)
    if identity.is_instructor:
        raise UserFacingError("Instructors do not submit work here.", status=403)
    uploads = [submissions.Upload(f.filename or "file", f.stream)
               for f in request.files.getlist("files") if f.filename]
    submitted = submissions.submit(
        db(), placement=placement, person=person, text_md=request.form.get("text", ""),
        links=request.form.get("links", ""), uploads=uploads,
        form_token=request.form.get("form_token", ""), store=file_store(), limits=limits(),
        review_url=review_link,
    )
    db().commit()
    return redirect(url("work.submission", submission_id=submitted.id), code=303)


@bp.get("/work/submissions/<int:submission_id>")
def submission(submission_id: int) -> str:
    identity = require_launch()
    session = db()
    found = access.submission_for_viewer(session, identity=identity, submission_id=submission_id)
    placement = session.get(Placement, found.placement_id)
    return render_template("grading/work/submission.html.jinja2", submission=found,
                           placement=placement, identity=identity,
                           history=page.history_for(session, submission=found, identity=identity))


@bp.get("/work/submissions/<int:submission_id>/files/<int:file_id>")
def download(submission_id: int, file_id: int) -> Response:
    identity = require_launch()
    session = db()
    found = access.submission_for_viewer(session, identity=identity, submission_id=submission_id)
    item = submissions.file_of(session, submission=found, file_id=file_id)
    return send_stored(item.stored.sha256, media_type=item.media_type, filename=item.filename)


def send_stored(sha256: str, *, media_type: str, filename: str) -> Response:
    """Stream a stored file as a download: never rendered inline, never sniffed."""
    from flask import send_file

    # Text of any kind goes out as plain text: an uploaded .html must never run as a page.
    served = "text/plain; charset=utf-8" if media_type.startswith("text/") else media_type
    response = send_file(file_store().open(sha256), mimetype=served, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""Milestones of a placement: learners check in and log hours; the instructor sets milestones.

Thin views: parse, call one service, commit, redirect.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, request
from werkzeug.wrappers.response import Response

from config import timezones
from config.database import utcnow
from config.web import Principal, UserFacingError, db, person_zone, protect, url
from grading.milestones import service as milestones
from grading.placements.access import instructor_placement, launched_into

bp = Blueprint("milestones", __name__)
protect(bp, by=Principal.LAUNCH)


def _to_student_page(placement_id: int, anchor: str) -> Response:
    return redirect(url("dashboards.student_page", placement_id=placement_id) + f"#{anchor}", code=303)


def _to_overview(placement_id: int) -> Response:
    return redirect(url("dashboards.work_overview", placement_id=placement_id) + "#milestones",
                    code=303)


@bp.post("/work/<int:placement_id>/milestones/<int:milestone_id>/check-in")
def check_in(placement_id: int, milestone_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    milestones.check_in(db(), placement=placement, person=person, milestone_id=milestone_id,
                        text=request.form.get("text", ""))
    db().commit()
    return _to_student_page(placement_id, "milestones")


@bp.post("/work/<int:placement_id>/hours")
def log_hours(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        raise UserFacingError("Give the day as a date, such as 2026-03-14.",
                              title="Date not understood") from None
    milestones.log_hours(db(), placement=placement, person=person, day=day,
                         hours=milestones.parse_hours(request.form.get("hours", "")),
                         note=request.form.get("note", ""), today=utcnow().date())
    db().commit()
    return _to_student_page(placement_id, "hours")


# -- the instructor's ---------------------------------------------------------------------


@bp.post("/work/<int:placement_id>/manage/milestones")
def add(placement_id: int) -> Response:
    placement = instructor_placement(placement_id)
    raw = request.form.get("due", "").strip()
    try:
        due = timezones.parse_local(raw, person_zone()) if raw else None
    except ValueError:
        raise UserFacingError("Give the due date as a date and time.") from None
    milestones.add_milestone(db(), placement=placement, title=request.form.get("title", ""), due_at=due)
    db().commit()
    return _to_overview(placement_id)


@bp.post("/work/<int:placement_id>/manage/milestones/<int:milestone_id>/delete")
def remove(placement_id: int, milestone_id: int) -> Response:
    placement = instructor_placement(placement_id)
    milestones.remove_milestone(db(), placement=placement, milestone_id=milestone_id)
    db().commit()
    return _to_overview(placement_id)

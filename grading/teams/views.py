"""Teams of a placement: learners join, start or leave one; the instructor forms them.

Thin views: parse, call one service, commit, redirect.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers.response import Response

from config.web import Principal, UserFacingError, db, protect, url
from grading.placements.access import instructor_placement, launched_into
from grading.teams import service as teams

bp = Blueprint("teams", __name__)
protect(bp, by=Principal.LAUNCH)


def _to_student_page(placement_id: int) -> Response:
    return redirect(url("dashboards.student_page", placement_id=placement_id) + "#team", code=303)


def _to_overview(placement_id: int) -> Response:
    return redirect(url("dashboards.work_overview", placement_id=placement_id) + "#teams", code=303)


@bp.post("/work/<int:placement_id>/team/join/<int:team_id>")
def join(placement_id: int, team_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    teams.join(db(), placement=placement, person=person, team_id=team_id)
    db().commit()
    return _to_student_page(placement_id)


@bp.post("/work/<int:placement_id>/team/new")
def start(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    teams.start_team(db(), placement=placement, person=person)
    db().commit()
    return _to_student_page(placement_id)


@bp.post("/work/<int:placement_id>/team/leave")
def leave(placement_id: int) -> Response:
    _, placement, person = launched_into(placement_id)
    teams.leave(db(), placement=placement, person=person)
    db().commit()
    return _to_student_page(placement_id)


# -- the instructor's ---------------------------------------------------------------------


@bp.post("/work/<int:placement_id>/manage/teams/auto")
def auto_form(placement_id: int) -> Response:
    placement = instructor_placement(placement_id)
    session = db()
    teams.auto_form(session, placement=placement, learners=teams.learners(session, placement=placement),
                    balanced=request.form.get("mode", "balanced") == "balanced")
    session.commit()
    return _to_overview(placement_id)


@bp.post("/work/<int:placement_id>/manage/teams/new")
def create(placement_id: int) -> Response:
    placement = instructor_placement(placement_id)
    teams.create_team(db(), placement=placement, open_to_join=request.form.get("open") == "yes")
    db().commit()
    return _to_overview(placement_id)


@bp.post("/work/<int:placement_id>/manage/teams/move")
def move(placement_id: int) -> Response:
    placement = instructor_placement(placement_id)
    raw_team = request.form.get("team_id", "")
    try:
        person_id = int(request.form.get("person_id", ""))
        team_id = int(raw_team) if raw_team else None
    except ValueError:
        raise UserFacingError("Choose a student and a team.") from None
    teams.move(db(), placement=placement, person_id=person_id, team_id=team_id)
    db().commit()
    return _to_overview(placement_id)

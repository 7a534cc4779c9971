"""The instructor's work pages for one placement: teams, milestones, hours, submissions and
the disclosure log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

from catalog.portal.web import protect
from config.web import UserFacingError, db, require_instructor, url
from grading.placements.models import Placement
from grading.work import access, consent, progress, submissions, teams

bp = Blueprint("work_manage", __name__)
protect(bp)


def _placement(placement_id: int) -> Placement:
    identity = require_instructor()
    return access.placement_in_course(db(), identity=identity, placement_id=placement_id)


def _back(placement_id: int, anchor: str) -> Response:
    return redirect(url("work_manage.overview", placement_id=placement_id) + f"#{anchor}", code=303)


@bp.get("/work/<int:placement_id>/manage")
def overview(placement_id: int) -> str:
    placement = _placement(placement_id)
    session = db()
    info = access.project_info(session, placement)
    learners = teams.learners(session, placement=placement)
    estimate = info.revision.estimated_hours if info.revision else 0
    page = render_template(
        "grading/work/manage.html.jinja2", placement=placement, info=info, learners=learners,
        teams=teams.teams(session, placement_id=placement.id),
        unassigned=teams.unassigned(session, placement=placement, learners=learners),
        latest=submissions.latest_per_owner(session, placement_id=placement.id),
        hours=progress.hours_totals(session, placement_id=placement.id, estimate=estimate,
                                    people=learners),
        milestones=progress.milestones(session, placement_id=placement.id),
        check_ins=progress.check_ins(session, placement_id=placement.id),
        disclosures=consent.disclosures_for_placement(session, placement_id=placement.id),
    )
    session.commit()  # learners() may have added people known only from the roster
    return page


@bp.post("/work/<int:placement_id>/manage/teams/auto")
def auto_teams(placement_id: int) -> Response:
    placement = _placement(placement_id)
    session = db()
    teams.auto_form(session, placement=placement, learners=teams.learners(session, placement=placement),
                    balanced=request.form.get("mode", "balanced") == "balanced")
    session.commit()
    return _back(placement_id, "teams")


@bp.post("/work/<int:placement_id>/manage/teams/new")
def new_team(placement_id: int) -> Response:
    placement = _placement(placement_id)
    teams.create_team(db(), placement=placement, open_to_join=request.form.get("open") == "yes")
    db().commit()
    return _back(placement_id, "teams")


@bp.post("/work/<int:placement_id>/manage/teams/move")
def move(placement_id: int) -> Response:
    placement = _placement(placement_id)
    raw_team = request.form.get("team_id", "")
    try:
        person_id = int(request.form.get("person_id", ""))
        team_id = int(raw_team) if raw_team else None
    except ValueError:
        raise UserFacingError("Choose a student and a team.") from None
    teams.move(db(), placement=placement, person_id=person_id, team_id=team_id)
    db().commit()
    return _back(placement_id, "teams")


@bp.post("/work/<int:placement_id>/manage/milestones")
def add_milestone(placement_id: int) -> Response:
    placement = _placement(placement_id)
    raw = request.form.get("due", "").strip()
    try:
        due = datetime.fromisoformat(raw).replace(tzinfo=UTC) if raw else None
    except ValueError:
        raise UserFacingError("Give the due date as a date and time.") from None
    progress.add_milestone(db(), placement=placement, title=request.form.get("title", ""), due_at=due)
    db().commit()
    return _back(placement_id, "milestones")


@bp.post("/work/<int:placement_id>/manage/milestones/<int:milestone_id>/delete")
def remove_milestone(placement_id: int, milestone_id: int) -> Response:
    placement = _placement(placement_id)
    progress.remove_milestone(db(), placement=placement, milestone_id=milestone_id)
    db().commit()
    return _back(placement_id, "milestones")

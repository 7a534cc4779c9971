"""The two pages that read across concepts: the student's project page and the instructor's
work overview of one placement (teams, milestones, hours, submissions, disclosure log).

Thin views: the read models gather; the views render.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers.response import Response

from config.web import Principal, db, protect, require_launch, url
from grading.choices.access import ChoiceActivity
from grading.choices.service import set_at
from grading.consent import log_lines
from grading.consent import service as consent
from grading.dashboards.pages import render_student_page
from grading.milestones import service as milestones
from grading.placements.access import instructor_placement, launched_into, placement_for_launch
from grading.placements.catalog_project import project_info
from grading.submissions import service as submissions
from grading.teams import service as teams

bp = Blueprint("dashboards", __name__)
protect(bp, by=Principal.LAUNCH)


@bp.get("/work")
def landing() -> Response | str:
    identity = require_launch()
    placement = placement_for_launch(db(), identity=identity)
    if placement is None:
        return render_template("grading/dashboards/no_project.html.jinja2")
    if identity.is_instructor:
        return redirect(url("dashboards.work_overview", placement_id=placement.id), code=303)
    return redirect(url("dashboards.student_page", placement_id=placement.id), code=303)


@bp.get("/work/<int:placement_id>")
def student_page(placement_id: int) -> Response | str:
    try:
        _, placement, person = launched_into(placement_id)
    except ChoiceActivity:  # a choice of projects: the student ranks them, or sees theirs
        return redirect(url("choices.student", activity_id=placement_id), code=303)
    return render_student_page(placement, person)


@bp.get("/work/<int:placement_id>/manage")
def work_overview(placement_id: int) -> Response | str:
    placement = instructor_placement(placement_id)
    session = db()
    found = set_at(session, placement)
    if found is not None and not found.solo:  # a choice of projects: its work is in the options
        return redirect(url("choices.manage", activity_id=placement.id), code=303)
    info = project_info(session, placement)
    learners = teams.learners(session, placement=placement)
    estimate = info.revision.estimated_hours if info.revision else 0
    page = render_template(
        "grading/dashboards/work_overview.html.jinja2", placement=placement, info=info,
        learners=learners, teams=teams.teams(session, placement_id=placement.id),
        unassigned=teams.unassigned(session, placement=placement, learners=learners),
        latest=submissions.latest_per_owner(session, placement_id=placement.id),
        hours=milestones.hours_totals(session, placement_id=placement.id, estimate=estimate,
                                      people=learners),
        milestones=milestones.milestones(session, placement_id=placement.id),
        check_ins=milestones.check_ins(session, placement_id=placement.id),
        disclosures=log_lines.grouped(
            consent.disclosures_for_placement(session, placement_id=placement.id)),
    )
    session.commit()  # learners() may have added people known only from the roster
    return page

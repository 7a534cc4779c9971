"""The instructor's view of one placement: every learner's state, filters, CSV, roster refresh.

Only reachable from the placement's own course: any other course's launch sees a 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from catalog.projects.service import get_revision
from config import outbox, runtime
from config.database import utcnow
from config.web import Principal, db, protect, url
from grading import runtime as grading_runtime
from grading.choices.service import set_at
from grading.dashboards import learner_states
from grading.placements import roster
from grading.placements.access import instructor_placement
from grading.placements.models import Placement
from grading.reviews import release

bp = protect(Blueprint("placements", __name__), by=Principal.LAUNCH)


@bp.get("/course/placements/<int:placement_id>")
def show(placement_id: int) -> str | BaseResponse:
    placement = instructor_placement(placement_id)
    session = db()
    found = set_at(session, placement)
    if found is not None and not found.solo:  # a choice of projects has its own page
        return redirect(url("choices.manage", activity_id=placement.id, **request.args), code=303)
    if roster.needs_first_load(placement) and grading_runtime.current().store.add(
            f"roster-first-load:{placement.id}", "1", ttl=600):
        # One background load per placement (the store's key), handed over after the commit.
        outbox.queue_after_commit(session, roster.FIRST_LOAD_CHANNEL, placement.id)
        session.commit()
    filters = learner_states.Filters.from_args(request.args.to_dict())
    states = learner_states.learner_states(session, placement)
    source = session.get(Placement, placement.copied_from_id) if placement.copied_from_id else None
    return render_template(
        "grading/placements/show.html.jinja2",
        placement=placement,
        revision=get_revision(session, placement.project_revision_id),
        page=learner_states.page_of(learner_states.apply_filters(states, filters),
                                    request.args.get("page", "")),
        total=len(states),
        counts=learner_states.stage_counts(states),
        inactive=sum(1 for s in states if not s.active),
        filters=filters,
        stages=list(learner_states.Stage),
        source=source,
        solo=found,
        now=utcnow(),
        roster_result=request.args.get("roster", ""),
        saved=request.args.get("saved", ""),
        to_grade=release.yours_to_grade(session, placement=placement,
                                        review_days=runtime.current().settings.review_days),
    )


@bp.get("/course/placements/<int:placement_id>/learners.csv")
def export(placement_id: int) -> Response:
    placement = instructor_placement(placement_id)
    filters = learner_states.Filters.from_args(request.args.to_dict())
    states = learner_states.apply_filters(learner_states.learner_states(db(), placement), filters)
    response = Response(learner_states.to_csv(states), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="placement-{placement.id}-learners.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/course/placements/<int:placement_id>/roster")
def refresh_roster(placement_id: int) -> BaseResponse:
    placement = instructor_placement(placement_id)
    session = db()
    try:
        roster.sync(session, placement=placement, roster=grading_runtime.current().roster)
        outcome = "ok"
    except roster.RosterUnavailable:
        outcome = "failed"  # the reason is kept on the placement and shown on the page
    session.commit()
    return redirect(url("placements.show", placement_id=placement.id, roster=outcome), code=303)

"""Applications inside the LMS: a student applies to (or withdraws from) a project of a choice
set that takes applications; the instructor says which projects do, and until when, and may
make a project placed on its own require an application (``solo``).

Every id is checked against the launch: the activity in the launch's course, the option in
that activity's set.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from config.database import utcnow
from config.web import (
    NotAllowed,
    Principal,
    UserFacingError,
    db,
    protect,
    require_instructor,
    require_launch,
    url,
)
from grading.applications import rules, service, solo
from grading.choices import after_publishing
from grading.choices import service as choices
from grading.choices.models import ChoiceOption, SetState
from grading.people.access import person as person_of
from grading.placements.access import instructor_placement, placement_in_course

bp = protect(Blueprint("applications", __name__), by=Principal.LAUNCH)


def _option(activity_id: int, option_id: int, *, instructor: bool) -> ChoiceOption:
    identity = require_instructor() if instructor else require_launch()
    placement = placement_in_course(db(), identity=identity, placement_id=activity_id)
    option = choices.option_in(choices.the_set(db(), placement), option_id)
    if not instructor and identity.is_instructor:
        raise NotAllowed("Students apply to projects; instructors set the deadlines on the choice page.",
                         title="For students")
    return option


@bp.post("/work/choices/<int:activity_id>/options/<int:option_id>/apply")
def apply(activity_id: int, option_id: int) -> Response:
    option = _option(activity_id, option_id, instructor=False)
    session = db()
    answer = rules.answer_from(request.form.to_dict())
    person = person_of(session, require_launch())
    service.submit(session, option=option, person=person, answer=answer, today=utcnow().date())
    call = service.call_for(session, option.id)
    assert call is not None  # submit refused otherwise
    service.tell_employer(session, option=option, select_by=call.select_by)
    session.commit()
    return redirect(url("choices.brief", activity_id=activity_id, option_id=option_id, saved="applied")
                    + "#application", code=303)


@bp.post("/work/choices/<int:activity_id>/options/<int:option_id>/apply/withdraw")
def withdraw(activity_id: int, option_id: int) -> Response:
    option = _option(activity_id, option_id, instructor=False)
    session = db()
    service.withdraw(session, option=option, person=person_of(session, require_launch()))
    session.commit()
    return redirect(url("choices.brief", activity_id=activity_id, option_id=option_id, saved="withdrawn")
                    + "#application", code=303)


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise UserFacingError("Give both dates as a day, for example 2026-12-18.",
                              title="Check the dates", status=422) from None


@bp.post("/course/choices/<int:activity_id>/options/<int:option_id>/applications")
def require(activity_id: int, option_id: int) -> Response:
    option = _option(activity_id, option_id, instructor=True)
    service.require_applications(db(), option=option, apply_by=_day("apply_by"), select_by=_day("select_by"))
    db().commit()
    return redirect(url("choices.manage", activity_id=activity_id, done="applications"), code=303)


@bp.post("/course/placements/<int:placement_id>/applications")
def require_on_placement(placement_id: int) -> Response:
    """The placement settings' "requires an application" (a project placed on its own)."""
    placement = instructor_placement(placement_id)
    session = db()
    if request.form.get("requires") != "yes":
        solo.turn_off(session, placement=placement)
        session.commit()
        return redirect(url("placements.show", placement_id=placement.id, saved="open-to-all"), code=303)
    seats = solo.parse_seats(request.form.get("seats", ""))
    choice_set = solo.turn_on(session, placement=placement, apply_by=_day("apply_by"),
                              select_by=_day("select_by"), seats=seats)
    if choice_set.state == SetState.PUBLISHED.value:  # a raised limit goes to the waitlist
        after_publishing.fill_open_places(session, choice_set=choice_set, today=utcnow().date())
    session.commit()
    return redirect(url("placements.show", placement_id=placement.id, saved="applications"), code=303)

"""The choice pages: a student ranks the projects of a choice set (or sees the one they got),
and the instructor previews, adjusts and publishes the assignment.

Every page opens only from the set's own course; options named in forms must belong to the
set, people to its course. No script needed: ranks are plain selects.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from catalog.markdown import render
from config.database import utcnow
from config.web import (
    ID_MAX,
    NotAllowed,
    NotFound,
    Principal,
    UserFacingError,
    db,
    protect,
    require_instructor,
    require_launch,
    url,
)
from grading.applications import service as applications
from grading.applications import solo
from grading.applications.rules import in_words
from grading.choices import after_publishing, assign, service, views_read
from grading.choices import seats as seat_counts
from grading.choices.models import AssignmentStatus, ChoiceSet, SetState
from grading.consent.service import ensure_participation
from grading.people.access import person as person_of
from grading.placements.access import placement_in_course

bp = protect(Blueprint("choices", __name__), by=Principal.LAUNCH)


@bp.get("/work/choices/<int:activity_id>")
def student(activity_id: int) -> Response | str:
    identity = require_launch()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=activity_id)
    choice_set = service.the_set(session, placement)
    if identity.is_instructor:
        return redirect(url("choices.manage", activity_id=placement.id), code=303)
    person = person_of(session, identity)
    ensure_participation(session, placement=placement, person=person)  # the instructor sees who came
    if choice_set.state == SetState.PUBLISHED.value:
        after_publishing.place_late(session, choice_set=choice_set, person=person, today=utcnow().date())
    if choice_set.solo:  # one project taking applications: its work once placed, else the application
        placed = solo.standing(session, choice_set=choice_set, person_id=person.id).assigned
        session.commit()
        return redirect(url("dashboards.student_page", placement_id=placement.id) if placed else
                        url("choices.brief", activity_id=placement.id, option_id=choice_set.options[0].id,
                            **request.args), code=303)
    page = views_read.student_page(session, choice_set=choice_set, person=person, today=utcnow().date())
    # Declined applications: kind words, and the best-fitting project that still has places.
    declined = applications.declined_note(
        session, choice_set=choice_set, person_id=person.id,
        open_titles=[v.option.placement.title for v in page.options if v.seats_left > 0 and v.fit.score > 0])
    session.commit()
    return render_template("grading/choices/student.html.jinja2", page=page,
                           saved=request.args.get("saved", ""), declined=declined)


@bp.post("/work/choices/<int:activity_id>")
def rank(activity_id: int) -> Response:
    identity = require_launch()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=activity_id)
    choice_set = service.the_set(session, placement)
    if identity.is_instructor:
        raise NotAllowed("Students rank the projects; instructors assign them on the choice page.",
                         title="For students", hint="Open the choice page to preview the assignment.")
    person = person_of(session, identity)
    ranked = service.parse_ranks(choice_set, request.form.to_dict())
    service.save_ranks(session, choice_set=choice_set, person_id=person.id, option_ids=ranked)
    ensure_participation(session, placement=placement, person=person)
    session.commit()
    return redirect(url("choices.student", activity_id=placement.id, saved="1" if ranked else "none"),
                    code=303)


@bp.post("/work/choices/<int:activity_id>/withdraw")
def withdraw(activity_id: int) -> Response:
    identity = require_launch()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=activity_id)
    choice_set = service.the_set(session, placement)
    if request.form.get("confirm") != "yes":
        raise UserFacingError("Tick the box to confirm that you give up your place.",
                              title="Please confirm", status=422)
    after_publishing.withdraw(session, choice_set=choice_set, person=person_of(session, identity),
                              today=utcnow().date())
    session.commit()
    return redirect(url("choices.student", activity_id=placement.id, saved="withdrawn"), code=303)


@bp.get("/work/choices/<int:activity_id>/options/<int:option_id>")
def brief(activity_id: int, option_id: int) -> str:
    identity = require_launch()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=activity_id)
    choice_set = service.the_set(session, placement)
    option = service.option_in(choice_set, option_id)
    revision = service.revisions_of(session, choice_set)[option.id]
    call = applications.call_for(session, option.id)
    person = None if identity.is_instructor else person_of(session, identity)
    mine = None if call is None or person is None else applications.application_of(
        session, option_id=option.id, person_id=person.id)
    standing, declined = None, ""
    if choice_set.solo and person is not None:
        standing = solo.standing(session, choice_set=choice_set, person_id=person.id)
        if standing.declined:
            step = solo.next_step(session, placement=placement, person=person, today=utcnow().date(),
                                  now=utcnow())
            declined = solo.declined_words(placement.title, step)
    return render_template("grading/choices/brief.html.jinja2", placement=placement, option=option,
                           revision=revision, brief_html=render(revision.brief_md), call=call,
                           application=mine, today=utcnow().date(), saved=request.args.get("saved", ""),
                           in_words=in_words, solo=choice_set.solo, standing=standing,
                           declined_words=declined)


# -- the instructor ------------------------------------------------------------------------


def _managed(activity_id: int) -> tuple[ChoiceSet, int]:
    identity = require_instructor()
    placement = placement_in_course(db(), identity=identity, placement_id=activity_id)
    return service.the_set(db(), placement), identity.person_id


@bp.get("/course/choices/<int:activity_id>")
def manage(activity_id: int) -> str:
    choice_set, _ = _managed(activity_id)
    page = views_read.manage_page(db(), choice_set=choice_set, today=utcnow().date())
    return render_template("grading/choices/manage.html.jinja2", page=page, done=request.args.get("done", ""),
                           published=request.args.get("published", ""),
                           calls=applications.calls_in(db(), choice_set),
                           unselected=applications.unselected(db(), choice_set), today=utcnow().date())


@bp.post("/course/choices/<int:activity_id>/preview")
def preview(activity_id: int) -> Response:
    choice_set, _ = _managed(activity_id)
    assign.preview(db(), choice_set=choice_set, today=utcnow().date())
    db().commit()
    return redirect(url("choices.manage", activity_id=activity_id, done="previewed") + "#assignment",
                    code=303)


def _form_id(name: str, *, optional: bool = False) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw and optional:
        return None
    if not raw.isdigit() or int(raw) > ID_MAX:
        raise NotFound("That record does not exist here.", title="Not found")
    return int(raw)


@bp.post("/course/choices/<int:activity_id>/adjust")
def adjust(activity_id: int) -> Response:
    choice_set, _ = _managed(activity_id)
    person_id = _form_id("person_id")
    assert person_id is not None
    assign.adjust(db(), choice_set=choice_set, person_id=person_id,
                  option_id=_form_id("option_id", optional=True), today=utcnow().date())
    db().commit()
    return redirect(url("choices.manage", activity_id=activity_id, done="adjusted") + "#assignment",
                    code=303)


@bp.post("/course/choices/<int:activity_id>/publish")
def publish(activity_id: int) -> Response:
    choice_set, person_id = _managed(activity_id)
    outcome = assign.publish(db(), choice_set=choice_set, by_person_id=person_id)
    db().commit()
    told = f"{outcome.assigned}-{outcome.waitlisted}-{outcome.emails}"
    return redirect(url("choices.manage", activity_id=activity_id, done="published", published=told),
                    code=303)


@bp.post("/course/choices/<int:activity_id>/seats")
def seats(activity_id: int) -> Response:
    choice_set, _ = _managed(activity_id)
    limits = service.parse_seat_limits(choice_set, request.form.to_dict())
    held = seat_counts.held(db(), choice_set_id=choice_set.id, statuses=(AssignmentStatus.ASSIGNED.value,))
    service.set_seat_limits(choice_set, limits, held=held)
    if choice_set.state == SetState.PUBLISHED.value:  # a raised limit goes to the waitlist
        after_publishing.fill_open_places(db(), choice_set=choice_set, today=utcnow().date())
    db().commit()
    return redirect(url("choices.manage", activity_id=activity_id, done="seats"), code=303)

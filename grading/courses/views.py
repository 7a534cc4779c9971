"""The course pages a launch lands on: the instructor's course home (every placement of the
course; Canvas's course navigation opens it too) and the learner's landing page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import bindparam, select

from config.database import first_row
from config.web import (
    LaunchIdentity,
    NotFound,
    autocommit_connection,
    db,
    read_only,
    require_instructor,
    require_launch,
)
from grading import launches
from grading.people.models import UNNAMED, Course, Person, display_name, display_title
from grading.placements import roster
from grading.placements import service as placements

bp = Blueprint("courses", __name__)


def _course(course_id: int | None) -> Course:
    course = db().get(Course, course_id) if course_id else None
    if course is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    return course


def _home(identity: LaunchIdentity) -> str:
    course = _course(identity.course_id)
    session = db()
    listed = placements.list_for_course(session, course_id=course.id)
    learners = roster.cached_counts(session, placement_ids=[p.id for p in listed])
    # The launch came from a link with no project yet (made by hand): offer to choose one,
    # unless a placement has reached the link since (the list holds every link's placement).
    link_id = launches.resource_link_id(identity) if request.args.get("link") == "unplaced" else None
    unplaced = link_id is not None and all(p.resource_link_id != link_id for p in listed)
    return render_template(
        "grading/course_home.html.jinja2", course=course, identity=identity,
        linked=[p for p in listed if p.is_linked], waiting=[p for p in listed if not p.is_linked],
        learners=learners, unplaced=unplaced,
    )


@bp.get("/course")
@read_only
def home() -> str:
    return _home(require_instructor())


@bp.get("/course/project")
def my_project() -> str:
    identity = require_launch()
    found = first_row(
        autocommit_connection(), _LEARNER_LANDING,
        {"course_id": identity.course_id, "person_id": identity.person_id},
    )
    if found is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    title, label, context_id, *names = found
    name = display_name(*names)
    return render_template(
        "grading/my_project.html.jinja2",
        course_title=display_title(title, label, context_id),
        learner_name="" if name == UNNAMED else name,
    )


# Every learner launch of a link without a project lands here: one query, built once.
_LEARNER_LANDING = (
    select(
        Course.title, Course.label, Course.context_id,
        Person.name, Person.given_name, Person.family_name,
    )
    .outerjoin(Person, Person.id == bindparam("person_id"))
    .where(Course.id == bindparam("course_id"))
)

"""The course pages a launch lands on: the instructor's course home (every placement of the
course; Canvas's course navigation opens it too) and the learner's landing page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

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
from grading.choices import service as choice_sets
from grading.courses import seen_at_launch
from grading.courses import service as courses
from grading.people.models import Course
from grading.placements import roster
from grading.placements import service as placements

bp = Blueprint("courses", __name__)


def _course(course_id: int | None) -> Course:
    course = db().get(Course, course_id) if course_id else None
    if course is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    return course


def _home(identity: LaunchIdentity) -> str:
    # The launch that answers with this page just wrote the course and returned its title.
    seen = seen_at_launch.recall(identity)
    if seen is not None and identity.course_id is not None:
        course_id, title = identity.course_id, seen.course_title
    else:
        course = _course(identity.course_id)
        course_id, title = course.id, course.display_title()
    session = db()
    choice_activities, options = choice_sets.in_course(session, course_id=course_id)
    listed = [p for p in placements.list_for_course(session, course_id=course_id) if p.id not in options]
    learners = roster.cached_counts(session, placement_ids=[p.id for p in listed])
    # The launch came from a link with no project yet (made by hand): offer to choose one,
    # unless a placement has reached the link since (the list holds every link's placement).
    link_id = launches.resource_link_id(identity) if request.args.get("link") == "unplaced" else None
    unplaced = link_id is not None and all(p.resource_link_id != link_id for p in listed)
    return render_template(
        "grading/course_home.html.jinja2", course_title=title, identity=identity,
        linked=[p for p in listed if p.is_linked], waiting=[p for p in listed if not p.is_linked],
        learners=learners, unplaced=unplaced, choice_activities=choice_activities,
    )


@bp.get("/course")
@read_only
def home() -> str:
    return _home(require_instructor())


@bp.get("/course/project")
def my_project() -> str:
    identity = require_launch()
    landing = seen_at_launch.recall(identity) or courses.learner_landing(
        autocommit_connection(), course_id=identity.course_id, person_id=identity.person_id
    )
    if landing is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    return render_template(
        "grading/my_project.html.jinja2",
        course_title=landing.course_title, learner_name=landing.learner_name,
    )

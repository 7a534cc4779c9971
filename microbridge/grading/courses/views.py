"""The course pages a launch lands on. Later work fills them with placements and projects."""

from __future__ import annotations

from flask import Blueprint, render_template

from microbridge.config.web import NotFound, db, require_instructor, require_launch
from microbridge.grading.people.models import Course, Person

bp = Blueprint("courses", __name__)


def _course(course_id: int | None) -> Course:
    course = db().get(Course, course_id) if course_id else None
    if course is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    return course


@bp.get("/course")
def home() -> str:
    identity = require_instructor()
    course = _course(identity.course_id)
    return render_template("grading/course_home.html.jinja2", course=course, identity=identity)


@bp.get("/course/project")
def my_project() -> str:
    identity = require_launch()
    course = _course(identity.course_id)
    person = db().get(Person, identity.person_id)
    return render_template(
        "grading/my_project.html.jinja2", course=course, person=person, identity=identity
    )


@bp.get("/course/review")
def submission_review() -> str:
    identity = require_instructor()
    course = _course(identity.course_id)
    return render_template("grading/course_home.html.jinja2", course=course, identity=identity)

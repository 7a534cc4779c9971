"""Deep linking: the catalog picker an instructor sees when adding Microbridge to a course."""

from __future__ import annotations

from flask import Blueprint, render_template

from microbridge.config.web import db, require_instructor
from microbridge.grading.people.models import Course

bp = Blueprint("deep_linking", __name__)


@bp.get("/lti/deep-linking")
def picker() -> str:
    identity = require_instructor()
    course = db().get(Course, identity.course_id) if identity.course_id else None
    return render_template("lti/deep_linking_picker.html.jinja2", course=course)

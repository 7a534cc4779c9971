"""Pages more than one view renders: the student's project page is shown by its own view and
again, with the refused form, by the submit view."""

from __future__ import annotations

import re
import secrets

from flask import render_template

from catalog.matching.fit import weekly_hours
from config.database import utcnow
from config.forms import FormState
from config.web import db, require_launch
from grading.choices.workload import workload
from grading.credit import pages as credit_pages
from grading.dashboards import student_page as student
from grading.people.models import Person
from grading.placements.models import Placement
from grading.submissions.web import limits


def render_student_page(placement: Placement, person: Person, form: FormState | None = None) -> str:
    """The student's project page; ``form`` is a refused submission, shown again with the
    text and links the student typed (and the same form token: nothing was submitted)."""
    session = db()
    data = student.student_page(session, placement=placement, person=person, limits=limits(),
                                now=utcnow())
    credit = credit_pages.for_student(session, placement=placement, person=person,
                                      institution_id=require_launch().institution_id)
    form = form or FormState()
    token = form.value("form_token") if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", form.value("form_token")) \
        else secrets.token_urlsafe(24)
    load = workload(db(), person_id=person.id, today=utcnow().date())
    revision = data.info.revision
    weekly = (weekly_hours(revision.estimated_hours, revision.window_start, revision.window_end)
              if revision else 0.0)
    return render_template("grading/dashboards/student_page.html.jinja2", page=data,
                           form_token=token, form=form, workload=load, weekly=weekly,
                           credit=credit)

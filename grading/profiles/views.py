"""The student's profile page inside the LMS: theirs to fill in, change or empty at any time."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from catalog.projects.models import Discipline
from catalog.skills.service import MAX_SKILLS, taxonomy_names
from config.database import utcnow
from config.web import Principal, db, protect, require_launch, url
from grading.choices.workload import workload
from grading.people.access import person as person_of
from grading.profiles import service
from grading.profiles.service import LEVELS, ProfileForm

bp = protect(Blueprint("profiles", __name__), by=Principal.LAUNCH)
BLANK_ROWS = 3


def _page(form: ProfileForm, *, status: int = 200, saved: bool = False) -> tuple[str, int]:
    identity = require_launch()
    rows = len(form.skills) + BLANK_ROWS
    return render_template(
        "grading/profiles/edit.html.jinja2", form=form, rows=min(rows, MAX_SKILLS),
        levels=LEVELS, disciplines=list(Discipline), taxonomy=taxonomy_names(), saved=saved,
        workload=workload(db(), person_id=identity.person_id, today=utcnow().date()),
        back=request.args.get("back", "").strip()[:20],
    ), status


@bp.get("/work/profile")
def edit() -> tuple[str, int]:
    identity = require_launch()
    profile = service.profile_of(db(), person_id=identity.person_id)
    return _page(service.form_for(profile), saved=request.args.get("saved") == "1")


@bp.post("/work/profile")
def save() -> tuple[str, int] | Response:
    identity = require_launch()
    session = db()
    person = person_of(session, identity)
    rows = [
        (request.form.get(f"skill-{i}", ""), request.form.get(f"level-{i}", ""))
        for i in range(MAX_SKILLS + BLANK_ROWS)
    ]
    form = service.parse(request.form.to_dict(), rows, request.form.getlist("disciplines"))
    if form.errors:
        return _page(form, status=422)
    service.save(session, person_id=person.id, form=form)
    session.commit()
    back = request.form.get("back", "")
    if back.isdigit():
        return redirect(url("choices.student", activity_id=int(back), saved="profile"), code=303)
    return redirect(url("profiles.edit", saved="1"), code=303)

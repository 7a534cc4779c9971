"""Employers' project pages: write, edit, submit for review, withdraw, archive, reopen."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response

from catalog import markdown
from catalog.employers.access import current_member, require_member
from catalog.employers.service import actor_for
from catalog.portal import web
from catalog.projects import forms, guardrails, service
from catalog.projects.content import ProjectContent
from catalog.projects.guardrails import PayPolicy
from catalog.projects.models import Discipline, Project, WorkMode
from catalog.skills import service as skills_service
from catalog.skills.service import taxonomy_names
from config.web import Principal, db, protect

bp = protect(Blueprint("projects", __name__, url_prefix="/employer/projects"), by=Principal.COOKIE)
EVERY_INSTITUTION = "all"
bp.add_app_template_filter(markdown.render, "markdown")
bp.add_app_template_filter(skills_service.label_of, "skill_label")
bp.context_processor(lambda: {"member": current_member()})


def policy() -> PayPolicy:
    return PayPolicy.from_settings(web.settings())


def _form_page(form: forms.ProjectForm, project: Project | None, status: int = 200
               ) -> tuple[str, int]:
    warnings = guardrails.problems(form.content, policy()) if form.content else {}
    return render_template(
        "catalog/projects/form.html.jinja2", form=form, project=project, warnings=warnings,
        discipline_options=[(d.value, d.label) for d in Discipline],
        work_mode_options=[(m.value, m.label) for m in WorkMode],
        currency_options=[(c, c) for c in sorted(policy().floors)],
        taxonomy=taxonomy_names(), policy=policy(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new() -> tuple[str, int] | Response:
    member = require_member()
    if request.method == "GET":
        today = date.today()
        return _form_page(forms.ProjectForm(values={
            "work_mode": "remote", "compensation_type": "paid", "team_size": "1",
            "capacity": "1", "pay_currency": web.settings().pay_floor_currency,
            "window_start": (today + timedelta(days=14)).isoformat(),
            "window_end": (today + timedelta(days=70)).isoformat(),
        }), None)
    form = forms.parse(request.form)
    if form.content is None:
        return _form_page(form, None, 422)
    project = service.create(db(), actor=actor_for(member), content=form.content)
    db().commit()
    flash("Draft saved. Submit it for review when it is ready.")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.get("/<int:project_id>")
def show(project_id: int) -> str:
    member = require_member()
    project = service.get_for_employer(db(), employer_id=member.employer_id,
                                       project_id=project_id)
    return _show_page(project)


def _show_page(project: Project, problems: dict[str, str] | None = None,
               chosen: set[int] | None = None, every: bool | None = None) -> str:
    latest = project.latest
    known = service.institutions_known_to(db(), employer_id=project.employer_id)
    known_ids = {i.id for i in known}
    offered = {o.institution_id for o in project.offers}
    return render_template(
        "catalog/projects/show.html.jinja2", project=project, revision=latest,
        problems=problems if problems is not None else guardrails.problems(
            ProjectContent.of(latest), policy()),
        history=service.history(db(), project_id=project.id),
        institutions=known,
        chosen=chosen if chosen is not None else {o.institution_id for o in project.offers},
        every=every if every is not None else (not offered or bool(offered - known_ids)),
        waiting=len({o.institution_id for o in project.offers if o.pending_revision_id} - known_ids),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int) -> tuple[str, int] | Response:
    member = require_member()
    project = service.get_for_employer(db(), employer_id=member.employer_id,
                                       project_id=project_id)
    if request.method == "GET":
        form = forms.ProjectForm(values=forms.values_of(project.latest))
        form.content = ProjectContent.of(project.latest)
        return _form_page(form, project)
    form = forms.parse(request.form)
    if form.content is None:
        return _form_page(form, project, 422)
    revision = service.update(db(), actor=actor_for(member), project_id=project.id,
                              content=form.content)
    db().commit()
    flash(f"Saved as revision {revision.number}.")
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/<int:project_id>/submit")
def submit(project_id: int) -> str | Response | tuple[str, int]:
    member = require_member()
    values = request.form.getlist("institution")
    chosen = {int(v) for v in values if v.isdigit() and len(v) < 19}
    if EVERY_INSTITUTION in values:
        chosen |= set(service.all_institution_ids(db()))
    try:
        service.submit(db(), actor=actor_for(member), project_id=project_id,
                       institution_ids=chosen, policy=policy())
    except service.GuardrailsNotMet as exc:
        db().rollback()
        project = service.get_for_employer(db(), employer_id=member.employer_id,
                                           project_id=project_id)
        return _show_page(project, exc.problems, chosen, every=EVERY_INSTITUTION in values), 422
    db().commit()
    flash("Sent for review. You will get an email when a curator decides.")
    return redirect(url_for("projects.show", project_id=project_id))


@bp.post("/<int:project_id>/withdraw")
def withdraw(project_id: int) -> Response:
    member = require_member()
    service.withdraw(db(), actor=actor_for(member), project_id=project_id,
                     note=request.form.get("note", "")[:2000])
    db().commit()
    flash("Withdrawn from review: you can edit it again.")
    return redirect(url_for("projects.show", project_id=project_id))


@bp.post("/<int:project_id>/archive")
def archive(project_id: int) -> Response:
    member = require_member()
    service.archive(db(), actor=actor_for(member), project_id=project_id,
                    note=request.form.get("note", "")[:2000])
    db().commit()
    flash("Archived: no catalog offers it now. Placements made already are not affected.")
    return redirect(url_for("projects.show", project_id=project_id))


@bp.post("/<int:project_id>/reopen")
def reopen(project_id: int) -> Response:
    member = require_member()
    service.reopen(db(), actor=actor_for(member), project_id=project_id)
    db().commit()
    flash("Reopened as a draft.")
    return redirect(url_for("projects.show", project_id=project_id))

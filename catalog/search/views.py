"""The catalog as instructors, students and curators see it: search and project pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from catalog import markdown
from catalog.employers.service import verified_for
from catalog.projects.models import Compensation, Discipline
from catalog.search import forms
from catalog.search.access import viewer_institution
from catalog.search.service import SortOrder, get_listed, search_projects
from config.web import db

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
bp.add_app_template_filter(markdown.render, "markdown")


@bp.get("/")
def index() -> tuple[str, int]:
    institution_id = viewer_institution()
    req = forms.parse(request.args)
    page = search_projects(db(), institution_id=institution_id, query=req.query,
                           filters=req.filters, sort=req.sort, page=req.page,
                           per_page=req.per_page)
    return render_template(
        "catalog/search/index.html.jinja2", req=req, results=page,
        disciplines=list(Discipline), compensations=list(Compensation), sorts=list(SortOrder),
    ), 422 if req.errors else 200


@bp.get("/projects/<int:revision_id>")
def project(revision_id: int) -> str:
    institution_id = viewer_institution()
    revision = get_listed(db(), institution_id=institution_id, revision_id=revision_id)
    employer = revision.project.employer
    return render_template(
        "catalog/search/project.html.jinja2", revision=revision, employer=employer,
        employer_verified=employer.id in verified_for(db(), institution_id=institution_id,
                                                      employer_ids=[employer.id]),
    )

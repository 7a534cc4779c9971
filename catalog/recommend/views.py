"""Recommendations page: say your skills and interests, see projects that fit and why."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from catalog.recommend.service import recommend
from catalog.search.access import viewer_institution
from config.web import db

bp = Blueprint("recommend", __name__, url_prefix="/catalog/recommend")


@bp.get("/")
def index() -> str:
    institution_id = viewer_institution()
    skills = request.args.get("skills", "").strip()[:500]
    interests = request.args.get("interests", "").strip()[:500]
    found = (recommend(db(), institution_id=institution_id, skills=skills, interests=interests,
                       limit=10) if skills or interests else [])
    return render_template("catalog/recommend/index.html.jinja2", skills=skills,
                           interests=interests, results=found,
                           asked=bool(skills or interests))

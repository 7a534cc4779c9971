"""The tool's own front page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template("home.html.jinja2")


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}

"""The tool's own front page, its liveness check and its readiness check."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template
from sqlalchemy import text

from config import runtime
from config.outage import DATABASE, OUTAGE_ERRORS, STORE, outages

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template("home.html.jinja2")


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers: for a supervisor's liveness probe (checks nothing else)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int, dict[str, str]]:
    """Whether this process can serve: the database and the store answer.

    Public, like /healthz: it names only the parts that fail, never why or where.
    """
    checks: list[tuple[str, Callable[[], None]]] = [(DATABASE, _database), (STORE, _store)]
    failing = [part for part, check in checks if not _answers(part, check)]
    headers = {"Cache-Control": "no-store"}
    if failing:
        return {"status": "failing", "failing": failing}, 503, headers
    return {"status": "ok"}, 200, headers


def _answers(part: str, check: Callable[[], None]) -> bool:
    try:
        check()
    except OUTAGE_ERRORS as error:
        outages.failed(part, error)
        return False
    return True


def _database() -> None:
    with runtime.current().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT 1")).scalar_one()


def _store() -> None:
    runtime.current().store.get("readyz")

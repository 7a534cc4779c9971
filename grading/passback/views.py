"""The instructor's gradebook sync page: per learner where their score stands, with the
LMS's own words when it refused, a retry button, and "resend all" for the placement."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

from config import outbox
from config.web import Principal, db, protect, require_instructor, url
from grading.passback import service
from grading.placements import access
from grading.placements.models import Placement

bp = Blueprint("passback", __name__)
protect(bp, by=Principal.LAUNCH)


def _placement(placement_id: int) -> Placement:
    identity = require_instructor()
    return access.placement_in_course(db(), identity=identity, placement_id=placement_id)


def _back(placement_id: int, *, held: int = 0) -> Response:
    # ``held``: rows the commit could not hand to the task queue (it was down); the page says
    # they stay queued. Only a count travels, so a forged one misleads no one but its sender.
    extra = {"held": held} if held else {}
    return redirect(url("passback.placement", placement_id=placement_id, **extra), code=303)


def _held() -> int:
    return min(max(request.args.get("held", 0, type=int) or 0, 0), 10_000)


@bp.get("/passback/placements/<int:placement_id>")
def placement(placement_id: int) -> str:
    found = _placement(placement_id)
    session = db()
    return render_template(
        "grading/passback/placement.html.jinja2", placement=found,
        states=service.sync_states(session, placement_id=found.id),
        waiting=service.open_count(session, placement_id=found.id), held=_held(),
    )


@bp.post("/passback/placements/<int:placement_id>/rows/<int:outbox_id>/retry")
def retry(placement_id: int, outbox_id: int) -> Response:
    found = _placement(placement_id)
    service.retry(db(), placement_id=found.id, outbox_id=outbox_id)
    db().commit()
    return _back(placement_id, held=outbox.not_queued(db()))


@bp.post("/passback/placements/<int:placement_id>/resend-all")
def resend_all(placement_id: int) -> Response:
    found = _placement(placement_id)
    service.resend_all(db(), placement=found)
    db().commit()
    return _back(placement_id, held=outbox.not_queued(db()))


@bp.post("/passback/placements/<int:placement_id>/send-waiting")
def send_waiting(placement_id: int) -> Response:
    found = _placement(placement_id)
    service.send_waiting(db(), placement_id=found.id)
    db().commit()
    return _back(placement_id, held=outbox.not_queued(db()))

"""The local outbox page: in the embedded default, where every email lands for a newcomer to
read and click."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from catalog.portal.web import settings
from config import mail
from config.web import db

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
def outbox() -> str:
    if not mail.outbox_visible(settings()):
        abort(404)
    return render_template("catalog/portal/outbox.html.jinja2", emails=mail.recent(db()))

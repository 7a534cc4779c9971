"""The evidence packet as an HTTP download (PDF or signed JSON), for the views that guard it."""

from __future__ import annotations

import json

from flask import Response

from config import runtime
from config.web import db
from grading.credentials import packet, pdf
from grading.people.models import Person
from grading.placements.models import Placement


def send(placement: Placement, person: Person, kind: str) -> Response:
    """The packet as a download (no caching: it is an education record)."""
    document = packet.record(db(), placement=placement, person=person,
                             base_url=runtime.current().settings.base_url)
    stem = f"evidence-packet-{placement.id}-{person.id}"
    if kind == "json":
        body: bytes | str = json.dumps(packet.signed(db(), document,
                                                     base_url=runtime.current().settings.base_url),
                                       indent=2, ensure_ascii=False)
        response = Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = Response(pdf.pdf(document), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response

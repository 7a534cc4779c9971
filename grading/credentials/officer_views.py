"""The credit office's credentials: those issued at the institution, and revocation with a
reason (the status list says so within a minute)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from catalog.credit_office.access import require_credit_officer
from config.web import NotFound, Principal, db, protect, url
from grading.credentials import service
from grading.credentials.downloads import send
from grading.credentials.models import Credential
from grading.credit import approval
from grading.people.models import Person
from grading.placements.models import Placement

bp = protect(Blueprint("credentials_office", __name__), by=Principal.EITHER)


@bp.get("/credit-office/credentials")
def issued() -> str:
    actor = require_credit_officer()
    rows = db().scalars(select(Credential).where(Credential.institution_id == actor.institution_id)
                        .order_by(Credential.id.desc()).limit(500)).all()
    return render_template("grading/credentials/office.html.jinja2",
                           items=[(row, service.payload(row)) for row in rows])


@bp.post("/credit-office/credentials/<credential_uuid>/revoke")
def revoke(credential_uuid: str) -> Response:
    actor = require_credit_officer()
    found = db().scalar(select(Credential).where(Credential.uuid == credential_uuid[:36]))
    if found is None or found.institution_id != actor.institution_id:
        raise NotFound("There is no such credential at your institution.", title="Not found")
    service.revoke(db(), found, reason=request.form.get("reason", ""),
                   by=f"{actor.label} (credit office)")
    db().commit()
    flash("The credential is revoked: verifiers see it within a minute.")
    return redirect(url("credentials_office.issued"), code=303)


def _packet(placement_id: int, person_id: int, kind: str) -> Response:
    """A packet of a student whose credit came to the officer's institution."""
    actor = require_credit_officer()
    assert actor.institution_id is not None
    record = approval.record_for_officer(db(), institution_id=actor.institution_id,
                                         placement_id=placement_id, person_id=person_id)
    found = db().get(Placement, record.placement_id)
    person = db().get(Person, record.person_id)
    if found is None or person is None:  # pragma: no cover (foreign keys keep them)
        raise NotFound("This record no longer exists.")
    response = send(found, person, kind)
    db().commit()
    return response


@bp.get("/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.pdf")
def packet_pdf(placement_id: int, person_id: int) -> Response:
    return _packet(placement_id, person_id, "pdf")


@bp.get("/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.json")
def packet_json(placement_id: int, person_id: int) -> Response:
    return _packet(placement_id, person_id, "json")

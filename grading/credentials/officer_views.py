"""The institution's staff and its students' credentials: the credit office and the curators
each find the institution's evidence packets and credentials, download the packets, and
revoke a credential with a reason (the status list says so within a minute).

Both offices share the rules (grading/credentials/staff.py); each keeps its own pages, so a
curator stays in the curation pages and a credit officer in the credit office."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request
from werkzeug.wrappers.response import Response

from catalog.actors import Actor
from catalog.credit_office.access import require_credit_officer
from catalog.curation.access import require_curator
from config.web import Principal, db, protect, url
from grading.credentials import service, staff
from grading.credentials.downloads import send

bp = protect(Blueprint("credentials_office", __name__), by=Principal.EITHER)


@dataclass(frozen=True)
class Office:
    """Where the pages sit: who may act, what the history calls them, which endpoints."""

    require: Callable[[], Actor]
    role: str
    listing: str
    revoke: str
    packet_pdf: str
    packet_json: str


CREDIT = Office(require_credit_officer, "credit office", "credentials_office.issued",
                "credentials_office.revoke", "credentials_office.packet_pdf",
                "credentials_office.packet_json")
CURATION = Office(require_curator, "curator", "credentials_office.curated",
                  "credentials_office.curator_revoke", "credentials_office.curator_packet_pdf",
                  "credentials_office.curator_packet_json")


def _institution(actor: Actor) -> int:
    assert actor.institution_id is not None  # both kinds of staff have one
    return actor.institution_id


def _listing(office: Office) -> str:
    actor = office.require()
    rows = staff.records(db(), institution_id=_institution(actor))
    return render_template("grading/credentials/office.html.jinja2", actor=actor, office=office,
                           items=[(row, service.payload(row.credential) if row.credential else None)
                                  for row in rows])


def _revoke(office: Office, credential_uuid: str) -> Response:
    actor = office.require()
    found = staff.credential_of(db(), institution_id=_institution(actor),
                                credential_uuid=credential_uuid)
    service.revoke(db(), found, reason=request.form.get("reason", ""),
                   by=f"{actor.label} ({office.role})")
    db().commit()
    flash("The credential is revoked: verifiers see it within a minute, and the student sees "
          "it marked revoked with your reason.")
    return redirect(url(office.listing), code=303)


def _packet(office: Office, placement_id: int, person_id: int, kind: str) -> Response:
    """A packet of a student of the actor's institution (staff access: not a disclosure)."""
    actor = office.require()
    placement, person = staff.packet_subject(db(), institution_id=_institution(actor),
                                             placement_id=placement_id, person_id=person_id)
    response = send(placement, person, kind)
    db().commit()  # the issuer key, made the first time anything is signed
    return response


@bp.get("/credit-office/credentials")
def issued() -> str:
    return _listing(CREDIT)


@bp.post("/credit-office/credentials/<credential_uuid>/revoke")
def revoke(credential_uuid: str) -> Response:
    return _revoke(CREDIT, credential_uuid)


@bp.get("/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.pdf")
def packet_pdf(placement_id: int, person_id: int) -> Response:
    return _packet(CREDIT, placement_id, person_id, "pdf")


@bp.get("/credit-office/placements/<int:placement_id>/students/<int:person_id>/packet.json")
def packet_json(placement_id: int, person_id: int) -> Response:
    return _packet(CREDIT, placement_id, person_id, "json")


@bp.get("/curation/credentials")
def curated() -> str:
    return _listing(CURATION)


@bp.post("/curation/credentials/<credential_uuid>/revoke")
def curator_revoke(credential_uuid: str) -> Response:
    return _revoke(CURATION, credential_uuid)


@bp.get("/curation/placements/<int:placement_id>/students/<int:person_id>/packet.pdf")
def curator_packet_pdf(placement_id: int, person_id: int) -> Response:
    return _packet(CURATION, placement_id, person_id, "pdf")


@bp.get("/curation/placements/<int:placement_id>/students/<int:person_id>/packet.json")
def curator_packet_json(placement_id: int, person_id: int) -> Response:
    return _packet(CURATION, placement_id, person_id, "json")

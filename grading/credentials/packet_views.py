"""Evidence packet downloads inside the LMS: the student's own, and the instructor's for a
student of their course (PDF, or the signed JSON)."""

from __future__ import annotations

from flask import Blueprint, Response

from config.web import Principal, db, protect, require_instructor
from grading.credentials import packet_access
from grading.credentials.downloads import send
from grading.placements.access import launched_into, placement_in_course

bp = protect(Blueprint("packets", __name__), by=Principal.LAUNCH)


def _student(placement_id: int, kind: str) -> Response:
    identity, found, person = launched_into(placement_id)
    packet_access.subject(db(), found, person.id)
    response = send(found, person, kind)
    packet_access.log_student_download(db(), placement=found, person=person,
                                       institution_id=identity.institution_id, kind=kind.upper())
    db().commit()  # the disclosure row (and the issuer key, the first time anything is signed)
    return response


@bp.get("/work/<int:placement_id>/packet.pdf")
def student_pdf(placement_id: int) -> Response:
    return _student(placement_id, "pdf")


@bp.get("/work/<int:placement_id>/packet.json")
def student_json(placement_id: int) -> Response:
    return _student(placement_id, "json")


def _instructor(placement_id: int, person_id: int, kind: str) -> Response:
    identity = require_instructor()
    found = placement_in_course(db(), identity=identity, placement_id=placement_id)
    response = send(found, packet_access.subject(db(), found, person_id), kind)
    db().commit()  # the issuer key, made the first time anything is signed
    return response


@bp.get("/course/placements/<int:placement_id>/credit/students/<int:person_id>/packet.pdf")
def instructor_pdf(placement_id: int, person_id: int) -> Response:
    return _instructor(placement_id, person_id, "pdf")


@bp.get("/course/placements/<int:placement_id>/credit/students/<int:person_id>/packet.json")
def instructor_json(placement_id: int, person_id: int) -> Response:
    return _instructor(placement_id, person_id, "json")

"""The evidence packet: the student, the course's instructors and the credit office download
it (PDF and signed JSON); the JSON's detached JWS verifies with another JOSE library and the
public check page, and fails once altered; a student's download is in their disclosure log."""

from __future__ import annotations

import json
import re
import time
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from joserfc import jws as rfc_jws
from joserfc.errors import BadSignatureError
from sqlalchemy import select

from catalog.credit_office.models import Approver
from grading.consent.models import Disclosure
from tests.credit.flow import officer
from tests.security.world import fingerprint
from tests.work.harness import School

from .test_issue import approved, key_set


def _canonical(document: dict[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_the_student_downloads_the_packet_and_it_verifies(course: School) -> None:
    person_id = approved(course)
    student = course.launch(course.installed.student)
    started = time.perf_counter()
    answer = student.get(f"/work/{course.placement_id}/packet.pdf")
    took = time.perf_counter() - started
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF") and answer.headers["Cache-Control"] == "no-store"
    assert took < 10  # generous: the figure that matters is in bench, not here

    signed = student.get(f"/work/{course.placement_id}/packet.json").get_json()
    schema = json.loads((Path(__file__).parents[2] / "docs/evidence-packet.schema.json").read_text())
    jsonschema.validate(signed, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    packet = signed["packet"]
    assert packet["schema_version"] == "1.0"
    assert packet["student"]["name"] == "Ada Lovelace" and packet["hours"]["verified"] == 22
    assert packet["credit"]["state"] == "approved"
    assert [s["action"] for s in packet["approvals"]] == ["recommended", "approved"]
    assert packet["rubric"] and all(c["level"] for c in packet["rubric"])
    assert packet["verification_url"].endswith(f"/credentials/verify/{packet['credential']}")

    # A detached JWS (RFC 7515 appendix F) over the unencoded canonical JSON (RFC 7797, b64 false)
    verified = rfc_jws.deserialize_compact(signed["signature"], key_set(course),
                                           payload=_canonical(packet))
    assert verified.headers()["b64"] is False and json.loads(verified.payload) == packet
    packet["hours"]["verified"] = 80
    with pytest.raises(BadSignatureError):
        rfc_jws.deserialize_compact(signed["signature"], key_set(course), payload=_canonical(packet))

    logged = course.db.scalars(select(Disclosure).where(Disclosure.person_id == person_id)).all()
    assert [d.action for d in logged if d.viewer_label == "You (the student)"] == [
        "Downloaded your evidence packet (PDF) to keep or share",
        "Downloaded your evidence packet (JSON) to keep or share"]


def test_the_public_page_checks_a_packet(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    student = canvas_course.launch(canvas_course.installed.student)
    text = student.get(f"/work/{canvas_course.placement_id}/packet.json").get_data(as_text=True)
    visitor = canvas_course.app.test_client()
    page = visitor.get("/credentials/packets/verify").get_data(as_text=True)
    token = unescape(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    good = visitor.post("/credentials/packets/verify", data={"csrf_token": token, "packet": text})
    assert "Signature valid" in good.get_data(as_text=True)
    tampered = text.replace('"verified": 22', '"verified": 80')
    assert tampered != text
    bad = visitor.post("/credentials/packets/verify", data={"csrf_token": token, "packet": tampered})
    assert "Not valid" in bad.get_data(as_text=True) and "altered" in bad.get_data(as_text=True)
    forged = visitor.post("/credentials/packets/verify", data={"packet": text})
    assert forged.status_code in (400, 403)


def test_only_the_people_of_the_record_download_it(canvas_course: School) -> None:
    person_id = approved(canvas_course, approver=Approver.INSTRUCTOR)
    teacher = canvas_course.instructor()
    base = f"/course/placements/{canvas_course.placement_id}/credit/students/{person_id}"
    assert teacher.get(f"{base}/packet.pdf").status_code == 200
    registrar = officer(canvas_course, email="dean@example.edu")
    office = f"/credit-office/placements/{canvas_course.placement_id}/students/{person_id}"
    assert registrar.get(f"{office}/packet.json").status_code == 200
    other = canvas_course.launch(canvas_course.add_student("Eve", "Other"))
    canvas_course.db.expire_all()
    before = fingerprint(canvas_course.db)
    assert other.get(f"/work/{canvas_course.placement_id}/packet.pdf").status_code in (403, 404)
    assert other.get(f"{base}/packet.pdf").status_code == 403
    assert canvas_course.app.test_client().get(f"{office}/packet.pdf").status_code in (302, 303, 403)
    assert fingerprint(canvas_course.db) == before

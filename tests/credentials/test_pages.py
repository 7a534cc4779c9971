"""The pages around a credential: the student's My credentials (downloads, the share link
they control), the public issuer Profile, keys, status list and verification page, and the
credit office's revocation; each refuses other people and forged posts."""

from __future__ import annotations

import re
from html import unescape

from joserfc import jwt as rfc_jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from catalog.credit_office.models import Approver
from config import runtime
from grading.credentials import service, status
from grading.credentials.models import Credential
from tests.credit.flow import officer
from tests.security.world import fingerprint
from tests.work.harness import School

from .test_issue import approved, only_credential, served_list


def test_the_student_downloads_their_badge_and_nobody_else_can(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    student = canvas_course.launch(canvas_course.installed.student)
    project = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "My credentials" in project and f"/work/{canvas_course.placement_id}/packet.pdf" in project
    page = student.get("/work/credentials").get_data(as_text=True)
    assert "My credentials" in page and "Revoked" not in page
    assert "Share link:" not in page  # off by default

    base = f"/work/credentials/{credential.uuid}"
    svg = student.get(f"{base}/badge.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    found = re.search(r'<openbadges:credential verify="([^"]+)">', svg.get_data(as_text=True))
    assert found is not None and unescape(found.group(1)) == credential.jwt
    assert student.get(f"{base}/credential.jwt").get_data(as_text=True) == credential.jwt
    assert student.get(f"{base}/credential.json").get_json()["id"] == f"urn:uuid:{credential.uuid}"

    teacher = canvas_course.instructor()  # same course, not the credential's owner
    for path in ("badge.svg", "credential.jwt", "credential.json"):
        assert teacher.get(f"{base}/{path}").status_code == 404
    assert credential.uuid not in teacher.get("/work/credentials").get_data(as_text=True)
    before = fingerprint(canvas_course.db)
    assert teacher.post(f"{base}/sharing", data={"share": "on"}).status_code == 404
    assert fingerprint(canvas_course.db) == before


def test_the_share_link_is_the_students_to_turn_on_and_off(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    student = canvas_course.launch(canvas_course.installed.student)
    path = f"/work/credentials/{credential.uuid}/sharing"
    before = fingerprint(canvas_course.db)
    forged = student.client.post(path, query_string={"lt": student.token}, data={"share": "on"})
    assert forged.status_code in (400, 403) and fingerprint(canvas_course.db) == before

    assert student.post(path, data={"share": "on"}).status_code == 303
    token = only_credential(canvas_course).share_token
    assert token
    visitor = canvas_course.app.test_client()
    shared = visitor.get(f"/credentials/shared/{token}").get_data(as_text=True)
    assert "Valid" in shared and "Ada" not in shared

    assert student.post(path, data={"share": "off"}).status_code == 303
    assert only_credential(canvas_course).share_token is None
    assert visitor.get(f"/credentials/shared/{token}").status_code == 404


def test_a_verifier_checks_it_with_the_published_keys_and_sees_the_revocation(
        course: School) -> None:
    approved(course)
    credential = only_credential(course)
    visitor = course.app.test_client()

    profile = visitor.get(f"/credentials/issuers/{credential.institution_id}").get_json()
    assert profile["type"] == ["Profile"] and profile["name"] == "Demo University"
    assert profile["image"]["id"] == profile["id"] + "/image.svg"
    assert visitor.get(f"/credentials/issuers/{credential.institution_id}/image.svg").status_code == 200
    jwks = visitor.get(f"/credentials/issuers/{credential.institution_id}/jwks.json").get_json()
    token = rfc_jwt.decode(credential.jwt, KeySet.import_key_set(jwks), algorithms=["RS256"])
    kid_path = "/credentials/keys/" + token.header["kid"].rsplit("/", 1)[-1]
    assert visitor.get(kid_path).get_json()["kid"] == token.header["kid"]

    answer = visitor.get("/credentials/verify.json", query_string={"credential": credential.jwt})
    assert answer.get_json()["valid"] is True and answer.headers["Cache-Control"] == "no-store"
    page = visitor.get("/credentials/verify", query_string={"credential": credential.jwt})
    assert ">Valid<" in page.get_data(as_text=True)
    assert visitor.get(f"/credentials/verify/{credential.uuid}").status_code == 200
    bad = visitor.get("/credentials/verify", query_string={"credential": "garbage"})
    assert bad.status_code == 200 and "not a credential" in bad.get_data(as_text=True)
    assert visitor.get("/credentials/verify.json").status_code == 400

    registrar = officer(course, email="dean@example.edu")
    listing = registrar.get("/credit-office/credentials").get_data(as_text=True)
    assert credential.uuid in listing
    before = fingerprint(course.db)
    unexplained = registrar.post(f"/credit-office/credentials/{credential.uuid}/revoke",
                                 data={"reason": "  "})
    assert unexplained.status_code == 400 and fingerprint(course.db) == before
    assert registrar.post(f"/credit-office/credentials/{credential.uuid}/revoke",
                          data={"reason": "Issued in error."}).status_code == 303

    answer = visitor.get("/credentials/verify.json", query_string={"credential": credential.jwt})
    assert answer.get_json()["status"] == "revoked" and answer.get_json()["valid"] is False
    assert ">Revoked<" in visitor.get(f"/credentials/verify/{credential.uuid}").get_data(
        as_text=True)
    vc, listed = served_list(visitor, credential.institution_id)
    assert listed.cache_control.max_age is not None and listed.cache_control.max_age <= 30
    assert status.is_set(vc["credentialSubject"]["encodedList"], credential.status_index)
    student = course.launch(course.installed.student)
    assert "Revoked" in student.get("/work/credentials").get_data(as_text=True)


def test_another_institutions_officer_cannot_revoke(canvas_course: School) -> None:
    from catalog.institutions.models import Institution
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    elsewhere = Institution(name="Elsewhere College", slug="elsewhere")
    canvas_course.db.add(elsewhere)
    canvas_course.db.commit()
    credential.institution_id = elsewhere.id  # now it belongs to another institution
    canvas_course.db.commit()
    registrar = officer(canvas_course)
    answer = registrar.post(f"/credit-office/credentials/{credential.uuid}/revoke",
                            data={"reason": "Not ours."})
    assert answer.status_code == 404
    assert canvas_course.db.scalar(select(Credential.revoked_at)) is None
    assert credential.uuid not in registrar.get("/credit-office/credentials").get_data(as_text=True)


def test_the_student_chooses_to_show_their_name(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    hashed = only_credential(canvas_course)
    hashed_jwt = hashed.jwt
    student = canvas_course.launch(canvas_course.installed.student)
    path = f"/work/credentials/{hashed.uuid}/name"
    before = fingerprint(canvas_course.db)
    forged = student.client.post(path, query_string={"lt": student.token}, data={"show": "on"})
    assert forged.status_code in (400, 403) and fingerprint(canvas_course.db) == before
    teacher = canvas_course.instructor()
    assert teacher.post(path, data={"show": "on"}).status_code == 404

    assert student.post(path, data={"show": "on"}).status_code == 303
    named = only_credential(canvas_course)
    [identity] = service.payload(named)["credentialSubject"]["identifier"]
    assert identity == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": "Ada Lovelace"}
    base = runtime.current().settings.base_url
    assert service.verify(canvas_course.db, named.jwt, base_url=base).valid
    assert named.jwt != hashed_jwt
    assert service.verify(canvas_course.db, hashed_jwt, base_url=base).valid  # shared copies hold
    assert student.post(path, data={"show": "off"}).status_code == 303
    [identity] = service.payload(only_credential(canvas_course))["credentialSubject"]["identifier"]
    assert identity["hashed"] is True

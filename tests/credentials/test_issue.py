"""Credentials follow credit through the live tool: the credit officer's approval issues one
OpenBadgeCredential (once), signed as a VC-JWT that another JOSE library verifies; any
altered field fails; a reopened credit revokes it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from joserfc import jwt as rfc_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from sqlalchemy import select

from catalog.credit_office.models import Approver
from config import runtime
from grading.credentials import keys, service, status
from grading.credentials.models import Credential
from grading.credit import events
from grading.submissions.models import Submission
from tests.credit.flow import (
    decide,
    employer_verifies,
    graded,
    make_credit_bearing,
    officer,
    record,
    reflect,
    set_policy,
)
from tests.work.harness import School

from .ob3 import check


def base() -> str:
    return runtime.current().settings.base_url


def approved(course: School, *, approver: Approver = Approver.INSTRUCTOR_THEN_OFFICER) -> int:
    set_policy(course, approver=approver)
    teacher = course.instructor()
    assert make_credit_bearing(course, teacher).status_code == 303
    student, submission = graded(course, teacher)
    person_id = course.people[student.name].id
    assert employer_verifies(course, submission, person_id, "22").status_code == 303
    assert reflect(course, student).status_code == 303
    assert decide(course, teacher, person_id).status_code == 303
    if approver is Approver.INSTRUCTOR_THEN_OFFICER:
        answer = officer(course).post(
            f"/credit-office/placements/{course.placement_id}/students/{person_id}/decide",
            data={"decision": "approve"})
        assert answer.status_code == 303
    return person_id


def only_credential(course: School) -> Credential:
    course.db.expire_all()
    return course.db.scalars(select(Credential)).one()


def key_set(course: School) -> KeySet:
    published = keys.published(course.db)
    for key in published:
        key["kid"] = f"{base()}/credentials/keys/{key['kid']}"
    return KeySet.import_key_set({"keys": published})


def served_list(client: Any, institution_id: int) -> tuple[dict[str, Any], Any]:
    """The status list as a verifier gets it: checked with joserfc against the issuer's JWKS
    (published at the Profile's jwks.json); returns the list credential and the response."""
    listed = client.get(f"/credentials/status/{institution_id}")
    assert listed.status_code == 200 and listed.mimetype == "application/vc+jwt"
    jwks = client.get(f"/credentials/issuers/{institution_id}/jwks.json").get_json()
    token = rfc_jwt.decode(listed.get_data(as_text=True), KeySet.import_key_set(jwks),
                           algorithms=["RS256"])
    assert token.header["kid"] in {k["kid"] for k in jwks["keys"]}
    vc: dict[str, Any] = token.claims["vc"]
    return vc, listed


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    loaded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return loaded


def test_approval_issues_an_open_badge_another_jose_library_verifies(course: School) -> None:
    person_id = approved(course)
    credential = only_credential(course)
    assert (credential.person_id, credential.placement_id) == (person_id, course.placement_id)

    token = rfc_jwt.decode(credential.jwt, key_set(course), algorithms=["RS256"])
    assert token.header["alg"] == "RS256" and token.header["typ"] == "JWT"
    assert token.header["kid"].startswith(f"{base()}/credentials/keys/")
    vc = token.claims["vc"]
    assert check(vc) == []
    assert token.claims["iss"] == vc["issuer"]["id"] == f"{base()}/credentials/issuers/" + str(
        credential.institution_id)
    assert token.claims["jti"] == vc["id"] == f"urn:uuid:{credential.uuid}"
    assert token.claims["sub"] == vc["credentialSubject"]["id"]
    assert vc["issuer"]["name"] == "Demo University"
    subject = vc["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["80%", "22"]
    assert subject["creditsEarned"] == 2.0
    [identity] = subject["identifier"]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "Ada" not in json.dumps(vc)  # the name stays out unless the student shows it
    assert vc["evidence"][0]["id"] == f"{base()}/credentials/verify/{credential.uuid}"
    assert vc["credentialStatus"]["statusPurpose"] == "revocation"

    verdict = service.verify(course.db, credential.jwt, base_url=base())
    assert verdict.valid and verdict.status == "active", verdict.problems


TAMPERS = {
    "iss": lambda c: c.update(iss="https://evil.example/issuer"),
    "jti": lambda c: c.update(jti="urn:uuid:00000000-0000-0000-0000-000000000000"),
    "nbf": lambda c: c.update(nbf=c["nbf"] - 86400),
    "sub": lambda c: c.update(sub="urn:uuid:someone-else"),
    "vc.name": lambda c: c["vc"].update(name="Chief Executive"),
    "vc.issuer": lambda c: c["vc"]["issuer"].update(name="Harvard"),
    "vc.validFrom": lambda c: c["vc"].update(validFrom="2020-01-01T00:00:00Z"),
    "vc.result": lambda c: c["vc"]["credentialSubject"]["result"][0].update(value="100%"),
    "vc.identifier": lambda c: c["vc"]["credentialSubject"]["identifier"][0].update(
        identityHash="sha256$00"),
    "vc.achievement": lambda c: c["vc"]["credentialSubject"]["achievement"].update(
        fieldOfStudy="medicine"),
    "vc.credentialStatus": lambda c: c["vc"]["credentialStatus"].update(statusListIndex="9"),
    "vc.evidence": lambda c: c["vc"]["evidence"][0].update(id="https://evil.example/"),
}


def test_every_altered_signed_field_fails_verification(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    original = only_credential(canvas_course).jwt
    header, _, signature = original.split(".")
    for name, tamper in TAMPERS.items():
        claims = _claims(original)
        tamper(claims)
        forged = f"{header}.{_b64(claims)}.{signature}"
        with pytest.raises(BadSignatureError):
            rfc_jwt.decode(forged, key_set(canvas_course), algorithms=["RS256"])
        verdict = service.verify(canvas_course.db, forged, base_url=base())
        assert not verdict.valid and not verdict.signature, name
    for forged_header in ({"alg": "none", "typ": "JWT"},
                          {**json.loads(base64.urlsafe_b64decode(header + "==")),
                           "kid": f"{base()}/credentials/keys/not-ours"}):
        forged = f"{_b64(forged_header)}.{original.split('.')[1]}.{signature}"
        assert not service.verify(canvas_course.db, forged, base_url=base()).valid
    assert not service.verify(canvas_course.db, "not a credential", base_url=base()).valid


def test_approval_heard_twice_issues_once(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    first = only_credential(canvas_course)
    found = record(canvas_course, first.person_id)
    assert found is not None and found.approved_at is not None
    again = events.CreditApproved(
        credit_record_id=found.id, placement_id=found.placement_id, person_id=found.person_id,
        institution_id=found.institution_id, credits=found.credits,
        verified_hours=found.verified_hours, grade_percent=found.grade_percent,
        approved_at=found.approved_at, approver_label="again", step_id=first.source_step_id or 0)
    events.credit_approved(canvas_course.db, again)
    events.credit_approved(canvas_course.db, events.CreditApproved(**{**again.__dict__,
                                                                     "step_id": 999999}))
    canvas_course.db.commit()
    assert only_credential(canvas_course).id == first.id


def test_reopened_credit_revokes_the_credential_and_the_status_list_says_so(
        canvas_course: School) -> None:
    person_id = approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    submission = canvas_course.db.scalars(select(Submission)).first()
    assert submission is not None
    assert employer_verifies(canvas_course, submission, person_id, "12",
                             note="Two days were travel.").status_code == 303
    revoked = only_credential(canvas_course)
    assert revoked.revoked and "reopened" in revoked.revoked_reason
    verdict = service.verify(canvas_course.db, credential.jwt, base_url=base())
    assert verdict.signature and verdict.status == "revoked" and not verdict.valid
    listed = status.status_list_credential(canvas_course.db, base_url=base(),
                                           institution_id=credential.institution_id)
    encoded = listed["credentialSubject"]["encodedList"]
    assert status.is_set(encoded, credential.status_index)
    assert not status.is_set(encoded, credential.status_index + 1)


def test_the_name_shows_only_when_the_student_chooses(canvas_course: School) -> None:
    from grading.credentials.achievement import Recipient
    hidden = Recipient(email="Ada@Example.edu ", salt="abc", name="Ada Lovelace")
    import hashlib
    assert hidden.identity_object()["identityHash"] == "sha256$" + hashlib.sha256(
        b"ada@example.eduabc").hexdigest()
    shown = Recipient(email="ada@example.edu", salt="abc", name="Ada Lovelace", show_name=True)
    assert shown.identity_object() == {"type": "IdentityObject", "identityType": "name",
                                       "hashed": False, "identityHash": "Ada Lovelace"}

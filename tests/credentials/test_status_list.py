"""The revocation list is a signed BitstringStatusListCredential (W3C Bitstring Status List
v1.0) served as a VC-JWT with the issuer key: another JOSE library verifies it against the
issuer's JWKS, a revocation is in the next list served (verifiers keep one 30 s at most), and
the verifier refuses a list that was altered, signed by another key, out of date or someone
else's, rather than trust it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from joserfc import jwt as rfc_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from catalog.credit_office.models import Approver
from catalog.institutions.models import Institution
from config import runtime
from config.database import utcnow
from grading.credentials import keys, service, status
from grading.credentials.jose import Signer
from tests.work.harness import School

from .test_issue import approved, key_set, only_credential, served_list


def base() -> str:
    return runtime.current().settings.base_url


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _iso(days: int) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def test_the_list_is_signed_and_a_revocation_is_in_the_next_one_served(course: School) -> None:
    approved(course)
    credential = only_credential(course)
    visitor = course.app.test_client()
    vc, listed = served_list(visitor, credential.institution_id)  # joserfc checked it
    url = f"{base()}/credentials/status/{credential.institution_id}"
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert vc["id"] == url == service.payload(credential)["credentialStatus"][
        "statusListCredential"]
    assert vc["issuer"] == service.payload(credential)["issuer"]["id"]
    subject = vc["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert vc["validFrom"] < vc["validUntil"]
    assert not status.is_set(subject["encodedList"], credential.status_index)
    assert listed.cache_control.public and listed.cache_control.max_age == 30
    assert subject["ttl"] == 30_000

    registrar_revokes = service.revoke(course.db, credential, reason="Issued in error.",
                                       by="registrar@example.edu")
    course.db.commit()
    assert registrar_revokes.revoked
    # The next list served says so; a verifier's cached copy is at most 30 s old, so the
    # revocation reaches everyone within a minute.
    vc, listed = served_list(visitor, credential.institution_id)
    assert status.is_set(vc["credentialSubject"]["encodedList"], credential.status_index)
    answer = visitor.get("/credentials/verify.json", query_string={"credential": credential.jwt})
    assert answer.get_json()["status"] == "revoked" and answer.get_json()["valid"] is False


def _tampered_lists(course: School, institution_id: int) -> dict[str, str | None]:
    real = status.signed_status_list(course.db, base_url=base(), institution_id=institution_id)
    header, payload, signature = real.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["encodedList"] = status.encoded_list(set())  # unrevoked
    stranger = keys._new_key()  # a key the issuer never published
    elsewhere = Institution(name="Elsewhere College", slug="elsewhere")
    course.db.add(elsewhere)
    course.db.flush()
    stale = status.status_list_credential(course.db, base_url=base(),
                                          institution_id=institution_id)
    stale.update(validFrom=_iso(-3), validUntil=_iso(-2))
    unsigned = dict(stale, validUntil=_iso(1))
    return {
        "altered": f"{header}.{_b64(claims)}.{signature}",
        "foreign key": Signer(stranger, base()).vc_jwt(unsigned),
        "unsigned": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "another issuer's": status.signed_status_list(course.db, base_url=base(),
                                                      institution_id=elsewhere.id),
        "out of date": Signer(keys.ensure(course.db), base()).vc_jwt(stale),
        "garbage": "not a list",
        "missing": None,
    }


def test_a_tampered_status_list_is_refused_not_trusted(canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    service.revoke(canvas_course.db, credential, reason="Issued in error.", by="test")
    canvas_course.db.commit()
    genuine = service.verify(canvas_course.db, credential.jwt, base_url=base())
    assert genuine.status == "revoked" and not genuine.valid

    tampered = _tampered_lists(canvas_course, credential.institution_id)
    with pytest.raises(BadSignatureError):  # the other JOSE library agrees it was altered
        rfc_jwt.decode(str(tampered["altered"]), key_set(canvas_course), algorithms=["RS256"])
    expected = {
        "altered": "signature does not match", "foreign key": "not signed by a key",
        "unsigned": "not signed by a key", "another issuer's": "not this credential's issuer's",
        "out of date": "out of date", "garbage": "not a signed", "missing": "could not be had",
    }
    for name, token in tampered.items():
        verdict = service.verify(canvas_course.db, credential.jwt, base_url=base(),
                                 lists=lambda _url, token=token: token)
        assert verdict.signature and verdict.status == "unknown" and not verdict.valid, name
        assert any(expected[name] in p for p in verdict.problems), (name, verdict.problems)


def test_an_active_credential_is_valid_only_with_a_list_that_checks_out(
        canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    assert service.verify(canvas_course.db, credential.jwt, base_url=base()).valid
    tampered = _tampered_lists(canvas_course, credential.institution_id)
    verdict = service.verify(canvas_course.db, credential.jwt, base_url=base(),
                             lists=lambda _url: tampered["foreign key"])
    assert not verdict.valid and verdict.status == "unknown"
    page = canvas_course.app.test_client().get(f"/credentials/verify/{credential.uuid}")
    assert ">Valid<" in page.get_data(as_text=True)


def test_the_list_verifies_with_the_published_key_set_after_rotation(course: School) -> None:
    approved(course)
    credential = only_credential(course)
    keys.rotate(course.db)
    course.db.commit()
    visitor = course.app.test_client()
    served_list(visitor, credential.institution_id)  # signed by the new key, still in the JWKS
    jwks = KeySet.import_key_set(
        visitor.get(f"/credentials/issuers/{credential.institution_id}/jwks.json").get_json())
    assert len(jwks.keys) == 2
    assert service.verify(course.db, credential.jwt, base_url=base()).valid  # old key's badge

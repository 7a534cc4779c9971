"""The institution's staff and its students' records: a curator (like a credit officer) finds
the institution's evidence packets and credentials, downloads a packet (staff access, not a
disclosure) and revokes a credential with a reason that the status list, the verifier and the
student see; another institution's staff find nothing, and forged posts change nothing."""

from __future__ import annotations

import re
from html import unescape

from flask import session as flask_session
from sqlalchemy import select

from catalog.curation import service as curation
from catalog.institutions.models import Institution
from config import cookie_session
from grading.consent.models import Disclosure
from grading.credentials import status
from tests.credit.flow import Officer, institution_id, officer
from tests.security.world import fingerprint
from tests.work.harness import School

from .test_issue import approved, only_credential, served_list


def curator(course: School, *, email: str = "cura@example.edu", institution: int | None = None
            ) -> Officer:
    """A curator signed in (a top-level browser), of the course's institution unless told."""
    account = curation.create_account(course.db, email=email,
                                      institution_id=institution or institution_id(course))
    course.db.commit()
    client = course.app.test_client()
    with course.app.test_request_context("/"):
        cookie_session.sign_in(curation.KIND, account.id)
        signed = dict(flask_session)
    with client.session_transaction() as sess:
        sess.update(signed)
    page = client.get("/curation/credentials").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return Officer(client, unescape(found.group(1)), account.id)


def _elsewhere(course: School) -> int:
    other = Institution(name="Elsewhere College", slug="elsewhere")
    course.db.add(other)
    course.db.commit()
    return other.id


def test_a_curator_downloads_the_packet_and_revokes_with_a_reason(course: School) -> None:
    person_id = approved(course)
    credential = only_credential(course)
    cura = curator(course)

    queue = cura.get("/curation/").get_data(as_text=True)
    assert 'href="/curation/credentials"' in queue  # found from the curators' pages
    listing = cura.get("/curation/credentials").get_data(as_text=True)
    base = f"/curation/placements/{course.placement_id}/students/{person_id}"
    assert "Ada Lovelace" in listing and f"{base}/packet.pdf" in listing
    assert "Approved" in listing and "verification page" in listing

    disclosures = len(course.db.scalars(select(Disclosure)).all())
    pdf = cura.get(f"{base}/packet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    signed = cura.get(f"{base}/packet.json").get_json()
    assert signed["packet"]["student"]["name"] == "Ada Lovelace" and signed["signature"]
    course.db.expire_all()
    # School officials' access (FERPA 99.31(a)(1)): not a disclosure, nothing logged.
    assert len(course.db.scalars(select(Disclosure)).all()) == disclosures

    path = f"/curation/credentials/{credential.uuid}/revoke"
    before = fingerprint(course.db)
    forged = cura.client.post(path, data={"reason": "No token."})
    assert forged.status_code in (400, 403) and fingerprint(course.db) == before
    unexplained = cura.post(path, data={"reason": "   "})
    assert unexplained.status_code == 400 and fingerprint(course.db) == before

    answer = cura.post(path, data={"reason": "The placement was found to be unpaid."})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/curation/credentials")
    revoked = only_credential(course)
    assert revoked.revoked_at is not None
    assert revoked.revoked_by == "cura@example.edu (curator)"
    assert revoked.revoked_reason == "The placement was found to be unpaid."
    page = cura.get("/curation/credentials").get_data(as_text=True)
    assert "by cura@example.edu (curator): The placement was found to be unpaid." in page

    visitor = course.app.test_client()
    vc, listed = served_list(visitor, credential.institution_id)
    assert listed.cache_control.max_age is not None and listed.cache_control.max_age <= 30
    assert status.is_set(vc["credentialSubject"]["encodedList"], credential.status_index)
    verdict = visitor.get("/credentials/verify.json", query_string={"credential": credential.jwt})
    assert verdict.get_json()["valid"] is False and verdict.get_json()["status"] == "revoked"
    mine = course.launch(course.installed.student).get("/work/credentials").get_data(as_text=True)
    assert "Revoked" in mine and "The placement was found to be unpaid." in mine


def test_the_credit_office_lists_packets_and_needs_the_token_to_revoke(course: School) -> None:
    person_id = approved(course)
    credential = only_credential(course)
    registrar = officer(course, email="dean@example.edu")
    assert 'href="/credit-office/credentials"' in registrar.get("/credit-office/").get_data(
        as_text=True)
    listing = registrar.get("/credit-office/credentials").get_data(as_text=True)
    assert (f"/credit-office/placements/{course.placement_id}/students/{person_id}/packet.pdf"
            in listing)
    before = fingerprint(course.db)
    forged = registrar.client.post(f"/credit-office/credentials/{credential.uuid}/revoke",
                                   data={"reason": "No token."})
    assert forged.status_code in (400, 403) and fingerprint(course.db) == before
    assert registrar.post(f"/credit-office/credentials/{credential.uuid}/revoke",
                          data={"reason": "Issued in error."}).status_code == 303
    assert only_credential(course).revoked_by == "dean@example.edu (credit office)"


def test_another_institutions_staff_find_nothing(course: School) -> None:
    person_id = approved(course)
    credential = only_credential(course)
    other = _elsewhere(course)
    cura = curator(course, email="cura@elsewhere.edu", institution=other)
    listing = cura.get("/curation/credentials").get_data(as_text=True)
    assert "Ada Lovelace" not in listing and credential.uuid not in listing
    before = fingerprint(course.db)
    for kind in ("pdf", "json"):
        path = f"/curation/placements/{course.placement_id}/students/{person_id}/packet.{kind}"
        assert cura.get(path).status_code == 404
    answer = cura.post(f"/curation/credentials/{credential.uuid}/revoke",
                       data={"reason": "Not ours."})
    assert answer.status_code == 404 and fingerprint(course.db) == before

    from catalog.credit_office import service as office
    account = office.create_account(course.db, institution_id=other, email="reg@elsewhere.edu")
    course.db.commit()
    with course.app.test_request_context("/"):
        cookie_session.sign_in(office.KIND, account.id)
        signed = dict(flask_session)
    client = course.app.test_client()
    with client.session_transaction() as sess:
        sess.update(signed)
    office_path = f"/credit-office/placements/{course.placement_id}/students/{person_id}/packet.pdf"
    assert client.get(office_path).status_code == 404
    assert "Ada Lovelace" not in client.get("/credit-office/credentials").get_data(as_text=True)

    # Of the right institution, but not a learner of the placement (launched, never started).
    mine = curator(course)
    eve = course.launch(course.add_student("Eve", "Other"))
    eve_id = course.people[eve.name].id
    for nobody in (eve_id, 99999):
        path = f"/curation/placements/{course.placement_id}/students/{nobody}/packet.pdf"
        assert mine.get(path).status_code == 404

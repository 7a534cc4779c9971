"""Curators see and decide only their institution's queue; employers are told by email."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.curation import service as curation
from catalog.curation.models import CurationDecision, CuratorAccount, Decision
from catalog.employers.models import EmployerMember, EmployerOrg, EmployerVerification
from catalog.institutions.models import Institution
from catalog.projects import service as projects
from catalog.projects.guardrails import DEFAULT_POLICY
from config.mail import OutgoingEmail
from config.web import NotAllowed, NotFound

from .conftest import actor, curator_actor, new_project, post, sign_in_as


def _status(db: Session, project_id: int) -> str:
    db.expire_all()  # the request changed it in its own session
    return projects.get(db, project_id).status


def _submitted(db: Session, member: EmployerMember, *insts: Institution) -> int:
    project = new_project(db, member)
    projects.submit(db, actor=actor(member), project_id=project.id,
                    institution_ids=[i.id for i in insts], policy=DEFAULT_POLICY)
    db.commit()
    return project.id


def test_queue_lists_submitted_projects_and_flags_unverified_employers(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    project_id = _submitted(db, member, institution)
    sign_in_as(client, "curator", curator_account.id)
    page = client.get("/curation/")
    assert page.status_code == 200
    assert "Churn dashboard for a subscription box" in page.text
    assert "Unverified employer" in page.text
    review = client.get(f"/curation/projects/{project_id}")
    assert review.status_code == 200 and "We sell <strong>monthly boxes</strong>" in review.text


def test_approval_lists_the_project_and_emails_every_member(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    colleague = EmployerMember(employer_id=member.employer_id, email="bo@harbor.example")
    db.add(colleague)
    db.commit()
    project_id = _submitted(db, member, institution)
    sign_in_as(client, "curator", curator_account.id)
    response = post(client, f"/curation/projects/{project_id}/decide",
                    {"decision": "approved", "note": ""})
    assert response.status_code == 302
    assert curation.queue(db, institution_id=institution.id) == []
    assert [i.project.id for i in curation.listed(db, institution_id=institution.id)] == [
        project_id]
    mails = db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "curation_decision")
                       .order_by(OutgoingEmail.to_address)).all()
    assert [m.to_address for m in mails] == ["ana@harbor.example", "bo@harbor.example"]
    assert mails[0].subject.startswith("Northfield University approved")
    assert f"http://127.0.0.1:5000/employer/projects/{project_id}\n" in mails[0].body
    assert "You get this because you offered" in mails[0].body


def test_changes_and_rejection_need_a_note_shown_next_to_the_field(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    project_id = _submitted(db, member, institution)
    sign_in_as(client, "curator", curator_account.id)
    response = post(client, f"/curation/projects/{project_id}/decide",
                    {"decision": "changes_requested", "note": "  "})
    assert response.status_code == 422
    assert 'id="f-note-error"' in response.text and "Write a note" in response.text
    assert 'aria-describedby="f-note-hint f-note-error"' in response.text
    assert db.scalars(select(CurationDecision)).all() == []
    assert _status(db, project_id) == "in_review"


def test_request_changes_sends_the_note_to_the_employer(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project_id = _submitted(db, member, institution)
    row = curation.decide(db, actor=curator_actor(institution), project_id=project_id,
                          decision=Decision.CHANGES_REQUESTED, note="Name the data source.",
                          policy=DEFAULT_POLICY, project_link=lambda pid: f"http://t/{pid}")
    db.commit()
    mail = db.scalars(select(OutgoingEmail)).one()
    assert "asks for changes" in mail.subject and "Name the data source." in mail.body
    assert row.notified_email_ids == str(mail.id)


def test_curator_cannot_see_or_decide_another_institutions_project(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution, curator_account: CuratorAccount,
) -> None:
    project_id = _submitted(db, member, other_institution)
    sign_in_as(client, "curator", curator_account.id)
    assert project_id not in [i.project.id for i in curation.queue(
        db, institution_id=institution.id)]
    assert client.get(f"/curation/projects/{project_id}").status_code == 404
    decided = post(client, f"/curation/projects/{project_id}/decide", {"decision": "approved"})
    assert decided.status_code == 404
    assert _status(db, project_id) == "in_review"
    with pytest.raises(NotFound):
        curation.decide(db, actor=curator_actor(institution), project_id=project_id,
                        decision=Decision.APPROVED, note="", policy=DEFAULT_POLICY,
                        project_link=str)


def test_curator_cannot_verify_an_employer_that_never_offered_them_a_project(
    client: FlaskClient, db: Session, member: EmployerMember, other_institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    _submitted(db, member, other_institution)
    sign_in_as(client, "curator", curator_account.id)
    response = post(client, f"/curation/employers/{member.employer_id}/verify",
                    {"note": "Looks fine"})
    assert response.status_code == 404
    org = db.get(EmployerOrg, member.employer_id)
    assert org is not None and org.verified_at is None


def test_curator_marks_an_employer_verified(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    project_id = _submitted(db, member, institution)
    sign_in_as(client, "curator", curator_account.id)
    response = post(client, f"/curation/employers/{member.employer_id}/verify",
                    {"note": "Called their office", "project_id": str(project_id)})
    assert response.status_code == 302
    row = db.scalars(select(EmployerVerification)).one()
    assert (row.institution_id, row.employer_id) == (institution.id, member.employer_id)
    assert "Called their office" in row.note
    page = client.get(f"/curation/projects/{project_id}")
    assert "Verified employer" in page.text and "Mark this employer as verified" not in page.text


def test_lms_administrator_launch_curates_its_institution(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    launch: object,
) -> None:
    project_id = _submitted(db, member, institution)
    launch(institution_id=institution.id, roles={"Administrator"})  # type: ignore[operator]
    page = client.get("/curation/")
    assert page.status_code == 200 and "LMS administrator" in page.text
    review = client.get(f"/curation/projects/{project_id}")
    token = review.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/curation/projects/{project_id}/decide",
                           data={"decision": "approved", "csrf_token": token})
    assert response.status_code == 302
    assert _status(db, project_id) == "published"


def test_learner_launch_is_refused_curation(
    client: FlaskClient, institution: Institution, launch: object
) -> None:
    launch(institution_id=institution.id, roles={"Learner"})  # type: ignore[operator]
    assert client.get("/curation/").status_code == 403


def test_signed_out_curator_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/curation/")
    assert response.status_code == 302 and "/curator/sign-in" in response.headers["Location"]


def test_decisions_need_a_curator(db: Session, member: EmployerMember,
                                  institution: Institution) -> None:
    project_id = _submitted(db, member, institution)
    with pytest.raises(NotAllowed):
        curation.decide(db, actor=actor(member), project_id=project_id,
                        decision=Decision.APPROVED, note="", policy=DEFAULT_POLICY,
                        project_link=str)
    stranger = Actor(kind=ActorKind.CURATOR, label="x", institution_id=None)
    with pytest.raises(NotAllowed):
        curation.require_curator(stranger)


def test_curator_invites_a_colleague_who_gets_a_link(
    client: FlaskClient, db: Session, curator_account: CuratorAccount
) -> None:
    sign_in_as(client, "curator", curator_account.id)
    response = post(client, "/curation/curators", {"email": "new@northfield.example",
                                                   "name": "New"})
    assert response.status_code == 302
    account = db.scalars(select(CuratorAccount).where(
        CuratorAccount.email == "new@northfield.example")).one()
    assert account.institution_id == curator_account.institution_id
    mail = db.scalars(select(OutgoingEmail)).one()
    assert "/curator/sign-in/" in mail.body
    again = post(client, "/curation/curators", {"email": "new@northfield.example"})
    assert again.status_code == 422 and "already has a curator account" in again.text

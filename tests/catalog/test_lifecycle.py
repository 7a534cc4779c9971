"""Project lifecycle: transitions, their history, revisions and the guardrails at the gates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.curation.models import Decision
from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.projects import service as projects
from catalog.projects.guardrails import DEFAULT_POLICY
from catalog.projects.models import CatalogListing, ProjectRevision
from config.web import NotFound

from .conftest import actor, curator_actor, make_content, new_project, publish


def _decide(db: Session, inst: Institution, project_id: int, decision: Decision,
            note: str = "") -> None:
    curation.decide(db, actor=curator_actor(inst), project_id=project_id, decision=decision,
                    note=note, policy=DEFAULT_POLICY, project_link=lambda pid: f"http://t/{pid}")
    db.commit()


def _submit(db: Session, member: EmployerMember, project_id: int, *insts: Institution) -> None:
    projects.submit(db, actor=actor(member), project_id=project_id,
                    institution_ids=[i.id for i in insts], policy=DEFAULT_POLICY)
    db.commit()


def test_full_journey_is_recorded_with_who_when_and_why(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member)
    assert project.status == "draft"
    _submit(db, member, project.id, institution)
    assert projects.get(db, project.id).status == "in_review"
    _decide(db, institution, project.id, Decision.CHANGES_REQUESTED, "Add a rubric level.")
    assert projects.get(db, project.id).status == "changes_requested"
    projects.update(db, actor=actor(member), project_id=project.id, content=make_content(
        title="Churn dashboard (v2)"))
    db.commit()
    _submit(db, member, project.id, institution)
    _decide(db, institution, project.id, Decision.APPROVED)
    projects.archive(db, actor=actor(member), project_id=project.id, note="Filled")
    db.commit()

    events = projects.history(db, project_id=project.id)
    steps = [(e.action, e.from_status, e.to_status) for e in events]
    assert steps == [
        ("created", "", "draft"),
        ("submitted", "draft", "in_review"),
        ("changes_requested", "in_review", "changes_requested"),
        ("edited", "changes_requested", "changes_requested"),
        ("submitted", "changes_requested", "in_review"),
        ("approved", "in_review", "published"),
        ("archived", "published", "archived"),
    ]
    by_action = {e.action: e for e in events}
    assert by_action["changes_requested"].note == "Add a rubric level."
    assert by_action["changes_requested"].actor_label == "cura@northfield.example"
    assert by_action["changes_requested"].institution_id == institution.id
    assert by_action["archived"].note == "Filled"
    assert by_action["archived"].actor_label == member.email
    assert all(e.created_at is not None for e in events)


def test_editing_a_published_project_creates_a_new_revision_and_keeps_the_old_one(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = publish(db, new_project(db, member), member, institution)
    published = project.live
    assert published is not None and published.number == 1
    placed_revision_id = published.id  # what a placement would keep

    revision = projects.update(db, actor=actor(member), project_id=project.id,
                               content=make_content(title="A better title"))
    db.commit()
    assert revision.number == 2 and revision.id != placed_revision_id
    old = db.get(ProjectRevision, placed_revision_id)
    assert old is not None and old.title == "Churn dashboard for a subscription box"
    assert old.state == "published"
    # Still listed at revision 1 until the curator approves revision 2.
    project = projects.get(db, project.id)
    assert project.status == "published"
    assert project.offers[0].listed_revision_id == placed_revision_id

    _submit(db, member, project.id, institution)
    _decide(db, institution, project.id, Decision.APPROVED)
    project = projects.get(db, project.id)
    assert project.offers[0].listed_revision_id == revision.id
    assert db.get(ProjectRevision, placed_revision_id) is not None
    assert db.scalars(select(CatalogListing.revision_id)).all() == [revision.id]


def test_rubric_criteria_of_a_published_revision_keep_their_ids(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = publish(db, new_project(db, member), member, institution)
    criterion_ids = [c.id for c in project.live.criteria]  # type: ignore[union-attr]
    projects.update(db, actor=actor(member), project_id=project.id, content=make_content())
    db.commit()
    live = projects.get(db, project.id).live
    assert live is not None and [c.id for c in live.criteria] == criterion_ids


def test_a_draft_is_edited_in_place(db: Session, member: EmployerMember) -> None:
    project = new_project(db, member)
    revision = projects.update(db, actor=actor(member), project_id=project.id,
                               content=make_content(title="Renamed"))
    db.commit()
    assert revision.number == 1
    assert [r.title for r in projects.get(db, project.id).revisions] == ["Renamed"]


def test_in_review_cannot_be_edited_until_withdrawn(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member)
    _submit(db, member, project.id, institution)
    with pytest.raises(projects.TransitionRefused):
        projects.update(db, actor=actor(member), project_id=project.id, content=make_content())
    db.rollback()
    projects.withdraw(db, actor=actor(member), project_id=project.id)
    db.commit()
    assert projects.get(db, project.id).status == "draft"
    assert curation.queue(db, institution_id=institution.id) == []


def test_submission_is_refused_below_the_pay_floor_and_nothing_changes(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member, pay_amount=Decimal("100"), estimated_hours=30)
    with pytest.raises(projects.GuardrailsNotMet) as refused:
        projects.submit(db, actor=actor(member), project_id=project.id,
                        institution_ids=[institution.id], policy=DEFAULT_POLICY)
    db.rollback()
    assert set(refused.value.problems) == {"pay_amount"}
    assert projects.get(db, project.id).status == "draft"
    assert len(projects.history(db, project_id=project.id)) == 1


def test_approval_checks_the_guardrails_again(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member, pay_amount=Decimal("600"), estimated_hours=30)
    _submit(db, member, project.id, institution)
    stricter = DEFAULT_POLICY.__class__(floors={"USD": Decimal("25")})
    with pytest.raises(projects.GuardrailsNotMet):
        curation.decide(db, actor=curator_actor(institution), project_id=project.id,
                        decision=Decision.APPROVED, note="", policy=stricter,
                        project_link=str)
    db.rollback()
    assert projects.get(db, project.id).status == "in_review"


def test_unpaid_project_must_be_course_tied_to_submit(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member, compensation_type="unpaid", pay_amount=None,
                          pay_currency="")
    with pytest.raises(projects.GuardrailsNotMet) as refused:
        projects.submit(db, actor=actor(member), project_id=project.id,
                        institution_ids=[institution.id], policy=DEFAULT_POLICY)
    assert set(refused.value.problems) == {"course_tied", "credit_bearing", "time_boxed"}


def test_archive_takes_it_out_of_every_catalog_and_reopen_starts_a_draft(
    db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution,
) -> None:
    project = publish(db, new_project(db, member), member, institution, other_institution)
    assert len(db.scalars(select(CatalogListing)).all()) == 2
    projects.archive(db, actor=actor(member), project_id=project.id)
    db.commit()
    assert db.scalars(select(CatalogListing)).all() == []
    with pytest.raises(projects.TransitionRefused):
        projects.archive(db, actor=actor(member), project_id=project.id)
    db.rollback()
    projects.reopen(db, actor=actor(member), project_id=project.id)
    db.commit()
    project = projects.get(db, project.id)
    assert project.status == "draft" and project.latest.number == 2
    assert project.latest.state == "draft"


def test_rejection_by_the_only_institution_rejects_the_revision(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    project = new_project(db, member)
    _submit(db, member, project.id, institution)
    _decide(db, institution, project.id, Decision.REJECTED, "Not a fit for our students.")
    project = projects.get(db, project.id)
    assert project.status == "rejected" and project.latest.state == "rejected"
    # The employer may revise and try again.
    projects.update(db, actor=actor(member), project_id=project.id, content=make_content())
    db.commit()
    assert projects.get(db, project.id).status == "rejected"
    _submit(db, member, project.id, institution)
    assert projects.get(db, project.id).status == "in_review"


def test_one_institution_rejecting_leaves_the_other_queue_alone(
    db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution,
) -> None:
    project = new_project(db, member)
    _submit(db, member, project.id, institution, other_institution)
    _decide(db, institution, project.id, Decision.REJECTED, "Not for us.")
    assert curation.queue(db, institution_id=institution.id) == []
    assert [i.project.id for i in curation.queue(db, institution_id=other_institution.id)] == [
        project.id]
    assert projects.get(db, project.id).status == "in_review"
    _decide(db, other_institution, project.id, Decision.APPROVED)
    assert projects.get(db, project.id).status == "published"


def test_changes_requested_takes_an_unpublished_revision_out_of_every_queue(
    db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution,
) -> None:
    project = new_project(db, member)
    _submit(db, member, project.id, institution, other_institution)
    _decide(db, institution, project.id, Decision.CHANGES_REQUESTED, "Say more about data.")
    assert curation.queue(db, institution_id=other_institution.id) == []


def test_submit_needs_an_existing_institution(db: Session, member: EmployerMember) -> None:
    project = new_project(db, member)
    with pytest.raises(NotFound):
        projects.submit(db, actor=actor(member), project_id=project.id, institution_ids=[999],
                        policy=DEFAULT_POLICY)


def test_services_refuse_another_organisations_member(
    db: Session, member: EmployerMember, other_member: EmployerMember,
    institution: Institution,
) -> None:
    project = new_project(db, other_member)
    intruder = actor(member)
    for attempt in (
        lambda: projects.update(db, actor=intruder, project_id=project.id,
                                content=make_content(title="Hijacked")),
        lambda: projects.submit(db, actor=intruder, project_id=project.id,
                                institution_ids=[institution.id], policy=DEFAULT_POLICY),
        lambda: projects.archive(db, actor=intruder, project_id=project.id),
        lambda: projects.get_for_employer(db, employer_id=member.employer_id,
                                          project_id=project.id),
    ):
        with pytest.raises(NotFound):
            attempt()
        db.rollback()
    assert projects.get(db, project.id).latest.title != "Hijacked"
    assert projects.get(db, project.id).status == "draft"

"""The employer portal: project forms, validation next to fields, and other organisations'
projects out of reach."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerInvitation, EmployerMember
from catalog.institutions.models import Institution
from catalog.projects import service as projects
from catalog.projects.models import Project, ProjectRevision, RevisionSkill

from .conftest import form_data, new_project, post, publish, sign_in_as


@pytest.fixture
def signed_in(client: FlaskClient, member: EmployerMember) -> FlaskClient:
    sign_in_as(client, "employer", member.id)
    return client


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ("/employer/", "/employer/projects/new", "/employer/team"):
        response = client.get(path)
        assert response.status_code == 302 and "/employer/sign-in" in response.headers[
            "Location"]


def test_a_valid_form_creates_a_draft_with_normalised_skills(
    signed_in: FlaskClient, db: Session, member: EmployerMember
) -> None:
    response = post(signed_in, "/employer/projects/new",
                    form_data(skills="postgres, Excel, data viz, Beekeeping logistics"))
    assert response.status_code == 302
    project = db.scalars(select(Project)).one()
    revision = project.revisions[0]
    assert project.employer_id == member.employer_id and project.status == "draft"
    assert [(s.label, s.in_taxonomy) for s in revision.skills] == [
        ("SQL", True), ("Excel", True), ("Data visualisation", True),
        ("Beekeeping logistics", False)]
    assert revision.team_size == 2 and [c.title for c in revision.criteria] == ["Analysis"]
    assert [lv.points for lv in revision.criteria[0].levels] == [10, 2]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Enter a title."),
    ({"summary": "x" * 201}, "summary", "Keep a one-line summary to 200 characters"),
    ({"deliverables": "  "}, "deliverables", "at least one deliverable"),
    ({"skills": ""}, "skills", "at least one skill"),
    ({"discipline": "astrology"}, "discipline", "Choose a discipline."),
    ({"estimated_hours": "ten"}, "estimated_hours", "whole number"),
    ({"estimated_hours": "0"}, "estimated_hours", "between 1 and 400"),
    ({"team_size": "7"}, "team_size", "between 1 and 6"),
    ({"capacity": "-1"}, "capacity", "between 1 and 200"),
    ({"work_mode": "on_site", "location": ""}, "location", "Enter a location."),
    ({"pay_amount": "lots"}, "pay_amount", "as a number"),
    ({"window_start": "2026-13-01"}, "window_start", "as a date"),
    ({"window_end": "2026-01-01"}, "window_end", "end on or after"),
    ({"c0_l1_points": "many"}, "c0_l1_points", "whole number from 0 to 1000"),
    ({"c0_l1_label": "", "c0_l1_points": ""}, "c0_title", "at least two levels"),
    ({"c0_title": "", "c0_l0_label": "", "c0_l0_points": "", "c0_l1_label": "",
      "c0_l1_points": ""}, "rubric", "at least one rubric criterion"),
])
def test_each_bad_field_gets_its_message_and_nothing_is_saved(
    signed_in: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    response = post(signed_in, "/employer/projects/new", form_data(**changes))
    assert response.status_code == 422
    text = response.text
    error = re.search(rf'<p id="f-{field}-error" class="field-error">([^<]*)</p>', text)
    assert error is not None, text
    assert message in error.group(1)
    assert "Nothing was saved." in text
    if field != "rubric":
        tag = re.search(rf'<(input|select|textarea)[^>]*id="f-{field}"[^>]*>', text)
        assert tag is not None
        assert f"f-{field}-error" in tag.group(0) and 'aria-invalid="true"' in tag.group(0)
    assert _count(db, Project) == 0 and _count(db, ProjectRevision) == 0
    assert _count(db, RevisionSkill) == 0


def test_the_form_keeps_what_was_typed(signed_in: FlaskClient) -> None:
    response = post(signed_in, "/employer/projects/new",
                    form_data(title="", summary="Keep <me> & this"))
    assert 'value="Keep &lt;me&gt; &amp; this"' in response.text


def test_guardrail_problems_are_shown_before_submitting(
    signed_in: FlaskClient, db: Session
) -> None:
    post(signed_in, "/employer/projects/new", form_data(pay_amount="100"))
    project = db.scalars(select(Project)).one()
    page = signed_in.get(f"/employer/projects/{project.id}")
    assert "Before you can submit this project" in page.text
    assert "5.00 USD per estimated hour" in page.text


def test_submitting_below_the_floor_is_refused_with_the_reason(
    signed_in: FlaskClient, db: Session, institution: Institution
) -> None:
    post(signed_in, "/employer/projects/new", form_data(pay_amount="100"))
    project = db.scalars(select(Project)).one()
    response = post(signed_in, f"/employer/projects/{project.id}/submit",
                    {"institution": str(institution.id)})
    assert response.status_code == 422 and "20 USD per hour" in response.text
    db.expire_all()
    assert projects.get(db, project.id).status == "draft"


def test_edit_submit_withdraw_archive_reopen_over_http(
    signed_in: FlaskClient, db: Session, institution: Institution
) -> None:
    post(signed_in, "/employer/projects/new", form_data())
    project_id = db.scalars(select(Project.id)).one()
    base = f"/employer/projects/{project_id}"
    assert signed_in.get(f"{base}/edit").status_code == 200
    assert post(signed_in, f"{base}/edit", form_data(title="Renamed")).status_code == 302
    assert post(signed_in, f"{base}/submit",
                {"institution": str(institution.id)}).status_code == 302
    assert post(signed_in, f"{base}/edit", form_data()).status_code == 409
    assert post(signed_in, f"{base}/withdraw").status_code == 302
    assert post(signed_in, f"{base}/archive", {"note": "Season over"}).status_code == 302
    assert post(signed_in, f"{base}/reopen").status_code == 302
    page = signed_in.get(base)
    assert "Season over" in page.text and "Reopened" in page.text
    db.expire_all()
    assert projects.get(db, project_id).status == "draft"


@pytest.mark.parametrize(("method", "suffix"), [
    ("get", ""), ("get", "/edit"), ("post", "/edit"), ("post", "/submit"),
    ("post", "/withdraw"), ("post", "/archive"), ("post", "/reopen"),
])
def test_another_organisations_project_is_out_of_reach(
    client: FlaskClient, db: Session, member: EmployerMember, other_member: EmployerMember,
    institution: Institution, method: str, suffix: str,
) -> None:
    theirs = publish(db, new_project(db, other_member), other_member, institution)
    before = [(e.action, e.to_status) for e in projects.history(db, project_id=theirs.id)]
    sign_in_as(client, "employer", member.id)
    path = f"/employer/projects/{theirs.id}{suffix}"
    if method == "get":
        response = client.get(path)
    else:
        response = post(client, path, {**form_data(title="Hijacked"),
                                       "institution": str(institution.id)})
    assert response.status_code == 404
    assert "Hijacked" not in response.text
    db.expire_all()
    after = projects.get(db, theirs.id)
    assert after.latest.title == "Churn dashboard for a subscription box"
    assert [(e.action, e.to_status) for e in projects.history(db, project_id=theirs.id)] == before


def test_dashboard_lists_only_own_projects(
    signed_in: FlaskClient, db: Session, member: EmployerMember, other_member: EmployerMember
) -> None:
    new_project(db, member, title="Ours")
    new_project(db, other_member, title="Theirs")
    page = signed_in.get("/employer/")
    assert "Ours" in page.text and "Theirs" not in page.text


def test_invitation_is_pending_until_the_invitee_accepts(
    signed_in: FlaskClient, db: Session, member: EmployerMember
) -> None:
    response = post(signed_in, "/employer/team/invite", {"email": "Cy@Harbor.example",
                                                         "name": "Cy"})
    assert response.status_code == 302
    assert db.scalars(select(EmployerMember).where(
        EmployerMember.email == "cy@harbor.example")).all() == []
    invited = db.scalars(select(EmployerInvitation)).one()
    assert invited.employer_id == member.employer_id and invited.invited_by_id == member.id
    assert invited.accepted_at is None and invited.invitation_email_id is not None
    page = signed_in.get("/employer/team")
    assert "cy@harbor.example" in page.text and "waiting for an answer" in page.text


def test_invitation_to_an_existing_account_leaves_it_where_it_is(
    signed_in: FlaskClient, db: Session, other_member: EmployerMember
) -> None:
    response = post(signed_in, "/employer/team/invite", {"email": other_member.email})
    assert response.status_code == 302
    db.expire_all()
    refreshed = db.get(EmployerMember, other_member.id)
    assert refreshed is not None and refreshed.employer_id == other_member.employer_id

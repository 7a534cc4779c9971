"""Info: the employer's project page does not list every institution using Microbridge.

An employer offers a project to every institution (each institution's curators decide for
their own catalog) and learns an institution's name only once that institution has decided on
one of the organisation's projects.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.curation.models import Decision
from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.institutions.service import get_or_create
from catalog.projects.guardrails import DEFAULT_POLICY
from catalog.projects.models import Project, ProjectOffer
from tests.catalog.conftest import curator_actor, form_data, member, post, sign_in_as

__all__ = ["member"]


def test_the_project_page_names_only_institutions_that_dealt_with_the_employer(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    deciding = get_or_create(db, name="Northfield University")
    silent = get_or_create(db, name="Quiet Valley College")
    db.commit()
    sign_in_as(client, "employer", member.id)
    post(client, "/employer/projects/new", form_data())
    project_id = db.scalars(select(Project.id)).one()
    page = client.get(f"/employer/projects/{project_id}").text
    assert "Northfield University" not in page and "Quiet Valley College" not in page

    assert post(client, f"/employer/projects/{project_id}/submit",
                {"institution": "all"}).status_code == 302
    offered = set(db.scalars(select(ProjectOffer.institution_id)))
    assert offered == {deciding.id, silent.id}
    page = client.get(f"/employer/projects/{project_id}").text
    assert "Northfield University" not in page and "Quiet Valley College" not in page

    curation.decide(db, actor=curator_actor(deciding), project_id=project_id,
                    decision=Decision.APPROVED, note="", policy=DEFAULT_POLICY,
                    project_link=lambda pid: f"http://t/{pid}")
    db.commit()
    page = client.get(f"/employer/projects/{project_id}").text
    assert "Northfield University" in page and "Quiet Valley College" not in page


def test_an_institution_id_the_employer_was_not_shown_can_still_be_offered_to(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    # Offering is what the page is for; knowing an id reveals nothing the offer does not.
    target = get_or_create(db, name="Northfield University")
    db.commit()
    sign_in_as(client, "employer", member.id)
    post(client, "/employer/projects/new", form_data())
    project_id = db.scalars(select(Project.id)).one()
    assert post(client, f"/employer/projects/{project_id}/submit",
                {"institution": str(target.id)}).status_code == 302
    assert db.scalar(select(Institution.id).join(ProjectOffer)) == target.id

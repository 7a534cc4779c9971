"""L8: a curator's "verified" counts for the curator's institution only. Another institution's
curators, instructors and students still see the employer as unverified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.curation.models import CuratorAccount
from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.institutions.models import Institution
from tests.catalog.conftest import (
    curator_account,
    institution,
    launch,
    member,
    new_project,
    other_institution,
    post,
    publish,
    sign_in_as,
)

__all__ = ["curator_account", "institution", "launch", "member", "other_institution"]


def _unverified_member(db: Session, member: EmployerMember) -> EmployerMember:
    org = db.get(EmployerOrg, member.employer_id)
    assert org is not None and org.verified_at is None
    return member


def test_one_institutions_verification_is_not_anothers(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution, curator_account: CuratorAccount,
    launch: Callable[..., Any],
) -> None:
    employer = _unverified_member(db, member)
    project = new_project(db, employer)
    publish(db, project, employer, institution, other_institution)
    other_curator = curation.create_account(db, institution_id=other_institution.id,
                                            email="cura@southbank.example")
    db.commit()
    other_curator_id = other_curator.id

    sign_in_as(client, "curator", curator_account.id)
    verified = post(client, f"/curation/employers/{employer.employer_id}/verify",
                    {"note": "Called their office"})
    assert verified.status_code == 302
    assert "Verified employer" in client.get("/curation/catalog").text

    db.expire_all()
    org = db.get(EmployerOrg, employer.employer_id)
    assert org is not None and org.verified_at is None  # no global flag

    sign_in_as(client, "curator", other_curator_id)
    page = client.get("/curation/catalog").text
    assert "Unverified employer" in page and "Verified employer" not in page

    launch(institution_id=other_institution.id, roles={"Instructor"})
    search = client.get("/catalog/")
    assert "Harbor Analytics (unverified)" in search.text
    launch(institution_id=institution.id, roles={"Instructor"})
    search = client.get("/catalog/")
    assert "Harbor Analytics" in search.text and "(unverified)" not in search.text


def test_verifying_needs_the_csrf_token(
    client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
    curator_account: CuratorAccount,
) -> None:
    publish(db, new_project(db, member), member, institution)
    sign_in_as(client, "curator", curator_account.id)
    refused = client.post(f"/curation/employers/{member.employer_id}/verify",
                          data={"note": "x"})
    assert refused.status_code == 400
    assert "Unverified employer" in client.get("/curation/catalog").text

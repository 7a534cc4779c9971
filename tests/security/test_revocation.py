"""L3: what is revoked stays revoked.

- A launch session ends when its platform is deactivated.
- Signing out of the employer or curator portal ends the session on the server: the same
  cookie sent again is nobody's.
- The operator's sign-in link works once, and the operator's session has an age limit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.institutions.service import get_or_create
from config.database import utcnow
from lti_tool.registry.admin import operator_link_token
from tests.work.harness import School

from .portal import operator_login, page_token, sign_in_by_link


def test_a_launch_session_ends_when_its_platform_is_deactivated(
    app: Flask, db: Session, canvas_course: School
) -> None:
    student = canvas_course.student()
    project = f"/work/{canvas_course.placement_id}"
    assert student.get(project).status_code == 200
    operator = operator_login(app)
    path = f"/admin/platforms/{canvas_course.installed.row_id}/active"
    token = page_token(operator, "/admin/platforms")
    assert operator.post(path, data={"active": "0", "csrf_token": token}).status_code == 303
    assert student.get(project).status_code == 401
    assert student.client.post(f"{project}/start", query_string={"lt": student.token},
                               data={"csrf_token": student.csrf()}).status_code in (400, 401)


def _replayed(app: Flask, signed_in: FlaskClient, home: str, sign_out: str) -> int:
    cookie = signed_in.get_cookie("session")
    assert cookie is not None
    token = page_token(signed_in, home)
    assert signed_in.post(sign_out, data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief.get(home).status_code


def test_signing_out_of_the_employer_portal_ends_the_session_on_the_server(
    app: Flask, db: Session, canvas_course: School
) -> None:
    employer = sign_in_by_link(app, db, "employer", canvas_course.placed.employer.member.email)
    assert _replayed(app, employer.client, "/employer/team", "/employer/sign-out") == 302


def test_signing_out_as_a_curator_ends_the_session_on_the_server(
    app: Flask, db: Session, canvas_course: School
) -> None:
    institution = get_or_create(db, name="Demo University")
    account = curation.create_account(db, institution_id=institution.id,
                                      email="cura@demo.example", name="Cura")
    db.commit()
    curator = sign_in_by_link(app, db, "curator", account.email)
    assert _replayed(app, curator.client, "/curation/curators", "/curator/sign-out") == 302


def test_the_operator_link_works_once(app: Flask) -> None:
    token = operator_link_token(app.config["SECRET_KEY"])
    first, second = app.test_client(), app.test_client()
    assert first.get("/admin/sign-in", query_string={"token": token}).status_code == 303
    assert second.get("/admin/sign-in", query_string={"token": token}).status_code == 403
    assert second.get("/admin/platforms").status_code == 403
    assert first.get("/admin/platforms").status_code == 200


def test_the_operator_session_has_an_age_limit(app: Flask) -> None:
    operator = operator_login(app)
    with operator.session_transaction() as session:
        signed = session.get("portal") or {}
        if signed:
            signed["at"] = (utcnow() - timedelta(hours=3)).isoformat()
            session["portal"] = signed
        else:  # the old flag had no time at all
            session["operator_at"] = "never checked"
    assert operator.get("/admin/platforms").status_code == 403

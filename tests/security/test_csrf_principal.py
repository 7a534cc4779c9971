"""M1, M2: a CSRF token counts only for the principal that authorises the request.

A launch token ``lt`` (anyone can get one from their own LMS) used to stand in for the cookie
session on portal routes: a page elsewhere could sign a visitor into the attacker's employer
account. Platform administration checked no token at all.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.portal.models import MagicLink
from lti_tool.registry.models import Platform
from tests.work.harness import School

from .portal import newest_link, operator_login, page_token


def _ask_for_link(app: Flask, db: Session, email: str) -> str:
    client = app.test_client()
    client.post("/employer/sign-in",
                data={"email": email, "csrf_token": page_token(client, "/employer/sign-in")})
    return newest_link(db, "/employer/sign-in")


def test_a_launch_token_cannot_sign_a_browser_into_someone_elses_account(
    app: Flask, db: Session, canvas_course: School
) -> None:
    attacker = canvas_course.student()  # anyone with a launch, from any LMS
    link = _ask_for_link(app, db, canvas_course.placed.employer.member.email)
    victim = app.test_client()
    forged = victim.post(link, data={"lt": attacker.token, "csrf_token": attacker.csrf()})
    assert forged.status_code in (400, 403)
    assert victim.get("/employer/").status_code == 302  # not signed in
    db.expire_all()
    assert db.scalars(select(MagicLink.used_at)).one() is None


def test_a_sign_in_link_signs_in_only_the_browser_that_opened_it(
    app: Flask, db: Session, canvas_course: School
) -> None:
    member = canvas_course.placed.employer.member
    link = _ask_for_link(app, db, member.email)
    opener = app.test_client()
    opener_token = page_token(opener, link)
    # Another browser with a perfectly good token of its own, but it never opened the link.
    elsewhere = app.test_client()
    refused = elsewhere.post(link, data={"csrf_token": page_token(elsewhere, "/employer/sign-in")})
    assert refused.status_code == 403
    assert elsewhere.get("/employer/").status_code == 302
    assert opener.post(link, data={"csrf_token": opener_token}).status_code == 302
    assert opener.get("/employer/").status_code == 200
    db.expire_all()
    assert db.get(EmployerMember, member.id).last_sign_in_at is not None  # type: ignore[union-attr]


def test_platform_administration_needs_the_operators_token(
    app: Flask, db: Session, canvas_course: School
) -> None:
    operator = operator_login(app)
    platform_id = canvas_course.installed.row_id
    path = f"/admin/platforms/{platform_id}/active"
    assert operator.post(path, data={"active": "0"}).status_code == 400
    assert operator.post(f"/admin/platforms/{platform_id}/deployments",
                         data={"deployment_id": "forged"}).status_code == 400
    db.expire_all()
    assert db.get(Platform, platform_id).active  # type: ignore[union-attr]
    token = page_token(operator, "/admin/platforms")
    assert operator.post(path, data={"active": "0", "csrf_token": token}).status_code == 303
    db.expire_all()
    assert not db.get(Platform, platform_id).active  # type: ignore[union-attr]

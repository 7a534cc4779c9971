"""Sign-in links: single use, 15 minutes, rate-limited per address, revealing nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.portal.models import MagicLink
from config.database import utcnow
from config.mail import OutgoingEmail

from .conftest import post


def _ask(client: FlaskClient, email: str) -> int:
    return int(post(client, "/employer/sign-in", {"email": email}).status_code)


def _link(db: Session) -> str:
    body = db.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()
    assert body is not None
    match = re.search(r"http://127\.0\.0\.1:5000(/employer/sign-in/[\w-]+)", body.body)
    assert match, body.body
    return match.group(1)


def _use(client: FlaskClient, path: str) -> int:
    """Open the link, then press the button (the link signs in the browser that opened it)."""
    client.get(path)
    return int(post(client, path).status_code)


def test_link_signs_in_once(client: FlaskClient, db: Session, member: EmployerMember) -> None:
    assert _ask(client, "ANA@harbor.example ") == 302
    path = _link(db)
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Sign in as ana@harbor.example" in confirm.text
    assert client.get(path).status_code == 200  # looking does not use it up (mail scanners)
    assert _use(client, path) == 302
    assert client.get("/employer/").status_code == 200
    db.expire_all()
    assert db.get(EmployerMember, member.id).joined_at is not None  # type: ignore[union-attr]

    other = client.application.test_client()
    assert _use(other, path) == 400
    assert "already been used" in other.get(path).text


def test_link_expires_after_fifteen_minutes(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    _ask(client, member.email)
    link = db.scalars(select(MagicLink)).one()
    lifetime = link.expires_at - link.created_at
    assert timedelta(minutes=14, seconds=59) < lifetime <= timedelta(minutes=15, seconds=1)
    db.execute(update(MagicLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    path = _link(db)
    assert _use(client, path) == 400
    assert "expired" in client.get(path).text
    assert client.get("/employer/").status_code == 302


def test_a_forged_token_is_refused(client: FlaskClient, member: EmployerMember) -> None:
    assert _use(client, "/employer/sign-in/not-a-real-token") == 400
    assert client.get("/employer/").status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_email(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    response = post(client, "/employer/sign-in", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302 and "/employer/sign-in/sent" in response.headers[
        "Location"]
    assert db.scalars(select(OutgoingEmail)).all() == []


def test_requests_are_rate_limited_per_address(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    statuses = [_ask(client, member.email) for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(db.scalars(select(MagicLink)).all()) == 5
    refused = post(client, "/employer/sign-in", {"email": member.email})
    assert 'id="f-email-error"' in refused.text and "Too many sign-in links" in refused.text
    # Another address is not affected, and unknown addresses are limited just the same.
    assert _ask(client, "someone@else.example") == 302
    assert [_ask(client, "ghost@else.example") for _ in range(6)][-1] == 429


def test_a_curator_link_cannot_sign_in_an_employer(
    client: FlaskClient, db: Session, member: EmployerMember, curator_account: object
) -> None:
    post(client, "/curator/sign-in", {"email": "cura@northfield.example"})
    curator_path = _link_any(db)
    assert curator_path.startswith("/curator/sign-in/")
    token = curator_path.rsplit("/", 1)[1]
    assert _use(client, f"/employer/sign-in/{token}") == 400
    assert _use(client, curator_path) == 302
    assert client.get("/curation/").status_code == 200
    assert client.get("/employer/").status_code == 302


def _link_any(db: Session) -> str:
    body = db.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id.desc())).first()
    assert body is not None
    match = re.search(r"http://127\.0\.0\.1:5000(/\S+/sign-in/[\w-]+)", body.body)
    assert match
    return match.group(1)


def test_forms_without_the_csrf_token_are_refused(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    response = client.post("/employer/sign-in", data={"email": member.email})
    assert response.status_code == 400 and "Form expired" in response.text
    assert db.scalars(select(OutgoingEmail)).all() == []


def _create_after_link(client: FlaskClient, db: Session, form: dict[str, str]) -> EmployerMember:
    assert post(client, "/employer/sign-up", form).status_code == 302
    assert db.scalars(select(EmployerMember)).all() == []  # nothing before the link is used
    assert _use(client, _link(db)) == 302
    page = client.get("/employer/welcome")
    assert page.status_code == 200
    fields = {k: v for k, v in form.items() if k != "email"}
    assert post(client, "/employer/welcome/create", fields).status_code == 302
    db.expire_all()
    return db.scalars(select(EmployerMember)).one()


def test_sign_up_verifies_a_matching_domain_once_the_address_is_proven(
    client: FlaskClient, db: Session, app: Flask
) -> None:
    member = _create_after_link(client, db, {
        "org_name": "Riverside Dental", "website": "https://www.riverside-dental.example",
        "name": "Dee", "email": "dee@riverside-dental.example"})
    assert member.employer.is_verified and member.role == "owner"
    assert "matches website riverside-dental.example" in member.employer.verification_note


def test_sign_up_with_free_mail_is_not_verified(client: FlaskClient, db: Session) -> None:
    member = _create_after_link(client, db, {"org_name": "Gmail Fan Club", "website": "gmail.com",
                                             "name": "", "email": "fan@gmail.com"})
    assert not member.employer.is_verified


def test_sign_up_errors_are_shown_next_to_their_fields(client: FlaskClient, db: Session) -> None:
    response = post(client, "/employer/sign-up", {"org_name": "", "website": "not a site",
                                                  "email": "nope"})
    assert response.status_code == 422
    for name in ("org_name", "website", "email"):
        assert f'id="f-{name}-error"' in response.text
        assert re.search(rf'id="f-{name}"[^>]*aria-invalid="true"', response.text.replace(
            "\n", " ")) or f'aria-describedby="f-{name}-error"' in response.text
    assert db.scalars(select(EmployerMember)).all() == []


def test_sign_out_ends_the_session(client: FlaskClient, member: EmployerMember) -> None:
    from .conftest import sign_in_as

    sign_in_as(client, "employer", member.id)
    assert client.get("/employer/").status_code == 200
    assert post(client, "/employer/sign-out").status_code == 302
    assert client.get("/employer/").status_code == 302

"""Notices reach a real SMTP server with what a person needs: absolute links, the reason they
get it, and a one-click unsubscribe that stops that kind only. Mail that fails is shown with
the reason on the admin page and can be sent again there; without a mail server outside a
demo nothing counts as sent."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.curation.models import CuratorAccount
from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.institutions.service import get_or_create
from catalog.projects import service as projects
from catalog.projects.guardrails import DEFAULT_POLICY
from config import mail, notices
from config.mail import EmailStatus, OutgoingEmail
from tests.catalog.conftest import (
    actor,
    curator_account,
    institution,
    launch,
    member,
    new_project,
    post,
    sign_in_as,
)
from tests.security.portal import operator_login

from .conftest import BASE_URL, Mailbox, deliver_queued

__all__ = ["curator_account", "institution", "launch", "member"]  # fixtures used here


def _offer(db: Session, member: EmployerMember, institution: Institution) -> int:
    project = new_project(db, member)
    projects.submit(db, actor=actor(member), project_id=project.id,
                    institution_ids=[institution.id], policy=DEFAULT_POLICY)
    db.commit()
    deliver_queued(db)
    return project.id


def _unsubscribe_path(header: str) -> str:
    found = re.fullmatch(r"<(https://[^>]+)>", header)
    assert found, header
    parts = urlsplit(found.group(1))
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    return parts.path


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return unescape(found.group(1))


def test_curators_get_a_notice_with_an_absolute_link_a_reason_and_one_click_unsubscribe(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox, member: EmployerMember,
    institution: Institution, curator_account: CuratorAccount,
) -> None:
    project_id = _offer(db, member, institution)

    [message] = mailbox.to("cura@northfield.example")
    assert message["From"] == "Microbridge <no-reply@tool.example.edu>"
    assert message["Subject"].startswith("A project awaits curation")
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert f"{BASE_URL}/curation/projects/{project_id}\n" in body
    assert "You get this because you curate Northfield University's catalog" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_path(message["List-Unsubscribe"])
    assert f"{BASE_URL}{path}" in body  # the same link, for people whose client shows none
    row = db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == "cura@northfield.example"))
    assert row is not None and row.status == "sent" and row.transport == "smtp"
    assert row.kind == "curation_waiting" and row.institution_id == institution.id

    # The mail client's one-click POST (RFC 8058): no session, no form token.
    answer = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "will no longer get" in answer.get_data(as_text=True)

    _offer(db, member, institution)
    assert len(mailbox.to("cura@northfield.example")) == 1  # that kind stopped
    # ... and only that kind: the curator still gets other kinds of notice.
    notices.notify(db, to="cura@northfield.example", kind="review_digest", subject="Other kind",
                   body="Something else.", reason="a test sends it.", institution_id=None)
    db.commit()
    deliver_queued(db)
    assert [m["Subject"] for m in mailbox.to("cura@northfield.example")][-1] == "Other kind"


def test_opening_the_link_asks_first_and_a_forged_link_changes_nothing(
    app: Flask, db: Session, mailbox: Mailbox,
) -> None:
    token = notices.unsubscribe_token(app.config["SECRET_KEY"], address="Ana@Example.org",
                                      kind="review_digest")
    visitor = app.test_client()
    page = visitor.get(f"/mail/unsubscribe/{token}")  # a link scanner, or a person reading
    assert page.status_code == 200 and "Stop these emails" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert notices.wants(db, address="ana@example.org", kind="review_digest")

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert visitor.post(f"/mail/unsubscribe/{forged}").status_code == 400
    other = notices.unsubscribe_token("another-secret", address="ana@example.org",
                                      kind="review_digest")
    assert visitor.post(f"/mail/unsubscribe/{other}").status_code == 400
    db.expire_all()
    assert db.scalars(select(notices.MailOptOut)).all() == []

    assert visitor.post(f"/mail/unsubscribe/{token}", data={"action": "off"}).status_code == 200
    assert not notices.wants(db, address="ana@example.org", kind="review_digest")
    again = visitor.post(f"/mail/unsubscribe/{token}", data={"action": "on"})
    assert "again" in again.get_data(as_text=True)
    assert notices.wants(db, address="ana@example.org", kind="review_digest")


def test_employers_and_curators_change_their_settings_when_signed_in(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox, member: EmployerMember,
    institution: Institution, curator_account: CuratorAccount,
) -> None:
    sign_in_as(client, "employer", member.id)
    page = client.get("/employer/mail-settings").get_data(as_text=True)
    assert member.email in page and 'value="review_digest" checked' in page
    assert 'value="curation_waiting"' not in page  # a curator's kind, not theirs
    assert post(client, "/employer/mail-settings", {"on": ["review_digest"]}).status_code == 303
    assert "Email settings saved." in client.get("/employer/mail-settings?saved=1").get_data(
        as_text=True)
    assert not notices.wants(db, address=member.email, kind="curation_decision")
    assert notices.wants(db, address=member.email, kind="review_digest")

    curator = FlaskClient(app)
    sign_in_as(curator, "curator", curator_account.id)
    assert 'value="curation_waiting" checked' in curator.get("/curation/mail-settings").get_data(
        as_text=True)
    assert post(curator, "/curation/mail-settings", {}).status_code == 303
    _offer(db, member, institution)
    assert mailbox.to(curator_account.email) == []


def test_a_launched_person_without_an_address_is_told_no_mail_comes(
    client: FlaskClient, db: Session, launch: object,
) -> None:
    launch(institution_id=None, roles={"Learner"}, person_id=424242)  # type: ignore[operator]
    page = client.get("/work/mail-settings")
    assert page.status_code == 200
    assert "did not share an email address" in page.get_data(as_text=True)


def test_failed_mail_is_shown_with_the_reason_and_sent_again(
    app: Flask, db: Session, mailbox: Mailbox, member: EmployerMember,
    institution: Institution, curator_account: CuratorAccount,
) -> None:
    mailbox.refuse.add(curator_account.email)
    _offer(db, member, institution)
    row = db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == curator_account.email))
    assert row is not None and row.status == "failed" and "550" in row.error

    operator = operator_login(app)
    page = operator.get("/admin/mail").get_data(as_text=True)
    assert curator_account.email in page and "mailbox unavailable" in page
    csrf = _csrf(page)
    # Without the form's token nothing happens.
    assert operator.post(f"/admin/mail/{row.id}/retry").status_code == 400
    mailbox.refuse.clear()  # the cause is fixed
    assert operator.post(f"/admin/mail/{row.id}/retry", data={"csrf_token": csrf}).status_code == 303
    deliver_queued(db)
    assert len(mailbox.to(curator_account.email)) == 1
    db.refresh(row)
    assert row.status == "sent"
    assert curator_account.email not in operator.get("/admin/mail").get_data(as_text=True)


def test_an_institution_administrator_sees_and_retries_only_its_own_mail(
    client: FlaskClient, db: Session, launch: object, institution: Institution,
) -> None:
    other = get_or_create(db, name="Southbank College")
    db.flush()
    ours = OutgoingEmail(to_address="ours@northfield.example", subject="Ours", body="b",
                         status=EmailStatus.FAILED.value, error="550 gone",
                         institution_id=institution.id)
    theirs = OutgoingEmail(to_address="theirs@southbank.example", subject="Theirs", body="b",
                           status=EmailStatus.FAILED.value, error="550 gone",
                           institution_id=other.id)
    nobody = OutgoingEmail(to_address="operator-only@example.org", subject="Sign-in", body="b",
                           status=EmailStatus.FAILED.value, error="550 gone")
    db.add_all([ours, theirs, nobody])
    db.commit()
    launch(institution_id=institution.id, roles={"Administrator"})  # type: ignore[operator]

    page = client.get("/admin/mail").get_data(as_text=True)
    assert "ours@northfield.example" in page
    assert "theirs@southbank.example" not in page and "operator-only@example.org" not in page
    csrf = _csrf(page)
    for foreign in (theirs, nobody):
        assert client.post(f"/admin/mail/{foreign.id}/retry",
                           data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/admin/mail/{ours.id}/retry", data={"csrf_token": csrf}).status_code == 303
    db.expire_all()
    assert [e.status for e in (db.get(OutgoingEmail, theirs.id), db.get(OutgoingEmail, nobody.id))
            if e] == ["failed", "failed"]
    assert db.get(OutgoingEmail, ours.id).status != "failed"  # type: ignore[union-attr]


def test_without_a_mail_server_outside_a_demo_mail_fails_with_the_fix(
    app: Flask, db: Session,
) -> None:
    production = app.extensions["microbridge"].settings.with_overrides(smtp_url="", testing=False)
    email = OutgoingEmail(to_address="someone@example.org", subject="Hi", body="Text",
                          status=EmailStatus.QUEUED.value)
    db.add(email)
    db.commit()  # a row written directly: no task was queued for it
    assert mail.deliver(email.id, transport=mail.transport_for(production)) is mail.Outcome.FAILED
    db.expire_all()
    row = db.get(OutgoingEmail, email.id)
    assert row is not None and row.status == "failed" and row.sent_at is None
    assert "MICROBRIDGE_SMTP_URL" in row.error
    assert mail.missing_mail_server(production) is not None
    assert mail.missing_mail_server(production.with_overrides(demo=True)) is None
    demo = production.with_overrides(demo=True)
    assert isinstance(mail.transport_for(demo.with_overrides(redis_url="")), mail.OutboxTransport)
    # A demo with Redis has no /outbox page: its mail would go nowhere, so it fails instead.
    assert isinstance(mail.transport_for(demo.with_overrides(redis_url="redis://127.0.0.1:6379/14")),
                      mail.NoMailServer)

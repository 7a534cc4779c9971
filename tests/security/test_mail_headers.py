"""L10: a CR or LF in a name never reaches a mail header, and a message that cannot be built
is marked failed with the reason instead of failing on every try."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.curation.models import CuratorAccount
from catalog.employers.models import EmployerMember, EmployerOrg
from config import mail
from config.mail import EmailStatus, OutgoingEmail
from tests.catalog.conftest import curator_account, institution
from tests.security.employer_fixtures import (
    csrf_of,
    follow_link,
    mail_to,
    member,
    post,
    sign_in_as,
)

__all__ = ["curator_account", "institution", "member"]

POISON = "Evil Corp\r\nBcc: everyone@victims.example\r\n"


def test_names_with_line_breaks_are_kept_on_one_line_and_mail_still_goes_out(
    client: FlaskClient, db: Session
) -> None:
    post(client, "/employer/sign-up", {"org_name": POISON, "website": "", "name": "Eve\nAdmin",
                                       "email": "eve@evil.example"})
    page = client.get(follow_link(client, mail_to(db, "eve@evil.example")[-1]).headers["Location"])
    client.post("/employer/welcome/create", data={
        "csrf_token": csrf_of(page.text), "org_name": POISON, "website": "",
        "name": "Eve\r\nAdmin"})
    db.expire_all()
    eve = db.scalars(select(EmployerMember)).one()
    assert eve.employer.name == "Evil Corp Bcc: everyone@victims.example"
    assert eve.name == "Eve Admin"
    assert post(client, "/employer/team/invite", {"email": "cy@else.example",
                                                  "name": "Cy\r\nTo: x@y"}).status_code == 302
    [invitation] = mail_to(db, "cy@else.example")
    assert invitation.status == EmailStatus.SENT.value, invitation.error
    assert "\r" not in invitation.subject and "\n" not in invitation.subject


def test_an_organisation_renamed_with_a_line_break_does_not_poison_its_mail(
    client: FlaskClient, db: Session, member: EmployerMember
) -> None:
    org = db.get(EmployerOrg, member.employer_id)
    assert org is not None
    org.name = POISON  # stored before names were cleaned
    db.commit()
    sign_in_as(client, "employer", member.id)
    assert post(client, "/employer/team/invite", {"email": "cy@else.example"}).status_code == 302
    [invitation] = mail_to(db, "cy@else.example")
    assert invitation.status == EmailStatus.SENT.value, invitation.error


def test_a_message_that_cannot_be_built_is_marked_failed_with_the_reason(
    app: Flask, db: Session
) -> None:
    rows = [OutgoingEmail(to_address="a@example.org", subject="Hello\r\nBcc: x@example.org",
                          body="Body", status=EmailStatus.QUEUED.value),
            OutgoingEmail(to_address="b@example.org\r\nBcc: x@example.org", subject="Hi",
                          body="Body", status=EmailStatus.QUEUED.value)]
    db.add_all(rows)
    db.commit()
    for row in rows:
        assert mail.deliver(row.id) is mail.Outcome.FAILED
        assert mail.deliver(row.id) is mail.Outcome.SKIPPED  # not tried again and again
    db.expire_all()
    for row in rows:
        stored = db.get(OutgoingEmail, row.id)
        assert stored is not None and stored.status == EmailStatus.FAILED.value
        assert "could not be built" in stored.error and stored.attempts == 1


def test_curator_names_are_kept_on_one_line(
    client: FlaskClient, db: Session, curator_account: CuratorAccount
) -> None:
    sign_in_as(client, "curator", curator_account.id)
    post(client, "/curation/curators", {"email": "new@northfield.example",
                                        "name": "New\r\nCurator"})
    db.expire_all()
    added = db.scalars(select(CuratorAccount).where(
        CuratorAccount.email == "new@northfield.example")).one()
    assert added.name == "New Curator"

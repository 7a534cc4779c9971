"""M6 and L4: an employer's invitation binds nobody until the invitee proves the address and
accepts; sign-up creates nothing before the address is proven; invitations and sign-up mail
are rate-limited and carry no attacker text in the subject; members leave, owners remove.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerInvitation, EmployerMember, EmployerOrg
from config.mail import OutgoingEmail
from tests.security.employer_fixtures import (
    csrf_of,
    follow_link,
    fresh_client,
    mail_to,
    make_member,
    member,
    other_member,
    post,
    sign_in_as,
)

__all__ = ["member", "other_member"]

VICTIM = "ceo@bigcorp.example"


def _members(db: Session, email: str) -> list[EmployerMember]:
    db.expire_all()
    return list(db.scalars(select(EmployerMember).where(EmployerMember.email == email)).all())


def _invite(client: FlaskClient, email: str, name: str = "") -> int:
    return int(post(client, "/employer/team/invite", {"email": email, "name": name}).status_code)


@pytest.fixture
def inviter(client: FlaskClient, member: EmployerMember) -> FlaskClient:
    sign_in_as(client, "employer", member.id)
    return client


def test_an_invitation_binds_nobody_and_the_owner_creates_their_own_organisation(
    inviter: FlaskClient, db: Session
) -> None:
    assert _invite(inviter, VICTIM, "The CEO") == 302
    assert _members(db, VICTIM) == []  # pending, not a member of the inviter's organisation

    victim = fresh_client(inviter)
    response = post(victim, "/employer/sign-up", {
        "org_name": "BigCorp", "website": "bigcorp.example", "name": "Cee", "email": VICTIM})
    assert response.status_code == 302
    assert _members(db, VICTIM) == []  # nothing is created before the address is proven
    welcome = follow_link(victim, mail_to(db, VICTIM)[-1])
    assert welcome.status_code == 302
    page = victim.get(welcome.headers["Location"])
    assert "Harbor Analytics" in page.text and "Create" in page.text  # join X or your own

    created = victim.post("/employer/welcome/create", data={
        "csrf_token": csrf_of(page.text), "org_name": "BigCorp", "website": "bigcorp.example",
        "name": "Cee"})
    assert created.status_code == 302
    [account] = _members(db, VICTIM)
    assert account.employer.name == "BigCorp" and account.role == "owner"
    assert victim.get("/employer/").status_code == 200


def test_an_invitee_joins_only_after_proving_the_address_and_accepting(
    inviter: FlaskClient, db: Session, member: EmployerMember
) -> None:
    assert _invite(inviter, "cy@harbor.example", "Cy") == 302
    [message] = mail_to(db, "cy@harbor.example")
    invitee = fresh_client(inviter)
    welcome = follow_link(invitee, message)
    assert _members(db, "cy@harbor.example") == []  # a proven address, still not a member
    page = invitee.get(welcome.headers["Location"])
    invitation = db.scalars(select(EmployerInvitation)).one()
    accepted = invitee.post(f"/employer/invitations/{invitation.id}/accept",
                            data={"csrf_token": csrf_of(page.text)})
    assert accepted.status_code == 302
    [cy] = _members(db, "cy@harbor.example")
    assert cy.employer_id == member.employer_id and cy.role == "member" and cy.joined_at
    assert invitee.get("/employer/").status_code == 200
    db.expire_all()
    assert db.get(EmployerInvitation, invitation.id).accepted_at is not None  # type: ignore[union-attr]


def test_nobody_accepts_an_invitation_for_another_address(
    inviter: FlaskClient, db: Session
) -> None:
    _invite(inviter, "cy@harbor.example")
    _invite(inviter, "dee@harbor.example")
    cy_mail, dee_mail = mail_to(db, "cy@harbor.example")[-1], mail_to(db, "dee@harbor.example")[-1]
    cy = fresh_client(inviter)
    page = cy.get(follow_link(cy, cy_mail).headers["Location"])
    dees = db.scalars(select(EmployerInvitation).where(
        EmployerInvitation.email == "dee@harbor.example")).one()
    assert "dee@harbor.example" not in page.text
    refused = cy.post(f"/employer/invitations/{dees.id}/accept",
                      data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 404
    assert _members(db, "cy@harbor.example") == [] and _members(db, "dee@harbor.example") == []
    assert dee_mail.status == "sent"


def test_invitation_routes_refuse_a_missing_or_foreign_csrf_token(
    inviter: FlaskClient, db: Session, member: EmployerMember, other_member: EmployerMember
) -> None:
    _invite(inviter, "cy@harbor.example")
    cy = fresh_client(inviter)
    page = cy.get(follow_link(cy, mail_to(db, "cy@harbor.example")[-1]).headers["Location"])
    invitation = db.scalars(select(EmployerInvitation)).one()
    for path, data in ((f"/employer/invitations/{invitation.id}/accept", {}),
                       ("/employer/welcome/create", {"org_name": "Cy Co"})):
        assert cy.post(path, data=data).status_code == 400
        assert cy.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert _members(db, "cy@harbor.example") == []
    assert "csrf_token" in page.text
    colleague = make_member(db, "Harbor Two", "two@harbor.example")
    colleague.employer_id = member.employer_id
    db.commit()
    for path in (f"/employer/team/members/{colleague.id}/remove", "/employer/team/leave"):
        assert inviter.post(path, data={}).status_code == 400
    assert len(_members(db, "two@harbor.example")) == 1 and len(_members(db, member.email)) == 1


def test_the_invitation_form_does_not_reveal_who_has_an_account(
    inviter: FlaskClient, db: Session, other_member: EmployerMember
) -> None:
    known = post(inviter, "/employer/team/invite", {"email": other_member.email},
                 follow_redirects=True)
    unknown = post(inviter, "/employer/team/invite", {"email": "nobody@else.example"},
                   follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "already" not in known.text.lower()
    assert (known.text.replace(other_member.email, "X").count("Invitation sent")
            == unknown.text.replace("nobody@else.example", "X").count("Invitation sent") == 1)
    [still] = _members(db, other_member.email)
    assert still.employer.name == "Rival Works"


def test_invitations_are_rate_limited_per_inviter_and_per_organisation(
    app: Flask, inviter: FlaskClient, db: Session, member: EmployerMember
) -> None:
    per_inviter = app.extensions["microbridge"].settings.employer_invites_per_hour
    codes = [_invite(inviter, f"p{n}@spam.example") for n in range(per_inviter + 1)]
    assert codes[:-1] == [302] * per_inviter and codes[-1] == 429
    colleague = EmployerMember(employer_id=member.employer_id, email="co@harbor.example")
    db.add(colleague)
    db.commit()
    second = fresh_client(inviter)
    sign_in_as(second, "employer", colleague.id)
    per_org = app.extensions["microbridge"].settings.employer_invites_per_day
    sent = per_inviter
    while sent < per_org:
        assert _invite(second, f"q{sent}@spam.example") in (302, 429)
        sent += 1
    assert _invite(second, "last@spam.example") == 429
    db.expire_all()
    total = db.scalar(select(func.count()).select_from(EmployerInvitation))
    assert total is not None and total <= per_org


def test_mail_subjects_carry_no_attacker_text(inviter: FlaskClient, db: Session,
                                               member: EmployerMember) -> None:
    org = db.get(EmployerOrg, member.employer_id)
    assert org is not None
    org.name = "Free iPhones: click http://evil.example"
    db.commit()
    _invite(inviter, "cy@harbor.example", "Cy")
    anon = fresh_client(inviter)
    post(anon, "/employer/sign-up", {"org_name": "WIN A PRIZE at http://evil.example",
                                     "website": "", "name": "Prize desk",
                                     "email": "target@victim.example"})
    for address in ("cy@harbor.example", "target@victim.example"):
        [message] = mail_to(db, address)
        assert "evil.example" not in message.subject and "iPhone" not in message.subject
    [signup] = mail_to(db, "target@victim.example")
    assert "evil.example" not in signup.body and "PRIZE" not in signup.body
    [invitation] = mail_to(db, "cy@harbor.example")
    assert "“Free iPhones: click http://evil.example”" in invitation.body  # quoted


def test_sign_up_verifies_only_after_the_address_is_proven(
    client: FlaskClient, db: Session
) -> None:
    post(client, "/employer/sign-up", {"org_name": "Riverside Dental",
                                       "website": "riverside-dental.example", "name": "Dee",
                                       "email": "dee@riverside-dental.example"})
    db.expire_all()
    assert db.scalars(select(EmployerOrg)).all() == []
    welcome = follow_link(client, mail_to(db, "dee@riverside-dental.example")[-1])
    page = client.get(welcome.headers["Location"])
    assert 'value="Riverside Dental"' in page.text  # what the sign-up form said, to confirm
    client.post("/employer/welcome/create", data={
        "csrf_token": csrf_of(page.text), "org_name": "Riverside Dental",
        "website": "riverside-dental.example", "name": "Dee"})
    [dee] = _members(db, "dee@riverside-dental.example")
    assert dee.employer.is_verified
    assert "matches website riverside-dental.example" in dee.employer.verification_note


def test_unauthenticated_mail_is_rate_limited_per_ip(app: Flask, client: FlaskClient,
                                                      db: Session) -> None:
    per_ip = app.extensions["microbridge"].settings.portal_mail_per_ip_hour
    codes = []
    for n in range(per_ip + 1):
        path = "/employer/sign-up" if n % 2 else "/employer/sign-in"
        codes.append(post(client, path, {"org_name": "Spam", "email": f"v{n}@victims.example"},
                          environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code)
    assert codes[-1] == 429 and 429 not in codes[:-1]
    db.expire_all()
    assert len(db.scalars(select(OutgoingEmail)).all()) <= per_ip
    other_ip = post(client, "/employer/sign-in", {"email": "v0@victims.example"},
                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other_ip.status_code == 302


def test_behind_the_proxy_each_client_counts_and_a_forged_header_buys_nothing(
        app: Flask, client: FlaskClient) -> None:
    """The proxy of MICROBRIDGE_FORWARDED_ALLOW_IPS (127.0.0.1) names the client in
    X-Forwarded-For; anyone else's X-Forwarded-For is the client's own say, not believed."""
    per_ip = app.extensions["microbridge"].settings.portal_mail_per_ip_hour
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    codes = [post(client, "/employer/sign-in", {"email": f"v{n}@victims.example"},
                  environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.9"}).status_code
             for n in range(per_ip + 1)]
    assert codes[-1] == 429 and 429 not in codes[:-1]
    neighbour = post(client, "/employer/sign-in", {"email": "v0@victims.example"},
                     environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.7"})
    assert neighbour.status_code == 302  # the proxy's other client is not the one sending mail
    for n in range(per_ip):
        post(client, "/curator/sign-in", {"email": f"c{n}@victims.example"},
             environ_base={"REMOTE_ADDR": "192.0.2.1"},
             headers={"X-Forwarded-For": f"10.9.9.{n}"})
    forged = post(client, "/curator/sign-in", {"email": "last@victims.example"},
                  environ_base={"REMOTE_ADDR": "192.0.2.1"},
                  headers={"X-Forwarded-For": "10.9.9.250"})
    assert forged.status_code == 429  # a new made-up address each time: still one client


def test_members_leave_and_owners_remove_within_their_organisation(
    client: FlaskClient, db: Session, member: EmployerMember, other_member: EmployerMember
) -> None:
    colleague = EmployerMember(employer_id=member.employer_id, email="co@harbor.example",
                               role="member")
    leaver = EmployerMember(employer_id=member.employer_id, email="bye@harbor.example",
                            role="member")
    db.add_all([colleague, leaver])
    db.commit()
    ids = {"colleague": colleague.id, "leaver": leaver.id, "rival": other_member.id}

    sign_in_as(client, "employer", ids["colleague"])
    page = client.get("/employer/team")
    assert re.search(r"/team/members/\d+/remove", page.text) is None  # only owners remove
    assert post(client, f"/employer/team/members/{member.id}/remove").status_code == 403

    sign_in_as(client, "employer", member.id)
    assert post(client, f"/employer/team/members/{ids['rival']}/remove").status_code == 404
    assert len(_members(db, other_member.email)) == 1
    assert post(client, f"/employer/team/members/{ids['colleague']}/remove").status_code == 302
    assert _members(db, "co@harbor.example") == []

    sign_in_as(client, "employer", ids["leaver"])
    assert post(client, "/employer/team/leave").status_code == 302
    assert _members(db, "bye@harbor.example") == []
    assert client.get("/employer/").status_code == 302  # signed out with the account gone
    [owner] = _members(db, member.email)
    assert owner.employer_id == member.employer_id

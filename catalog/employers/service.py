"""Employer sign-up, sign-in by emailed link, invitations and verification."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.actors import Actor, ActorKind
from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.portal import service as links
from catalog.portal.service import LinkBuilder, LinkPolicy
from config.database import utcnow
from config.mail import OutgoingEmail
from config.store import KeyValueStore
from config.web import NotFound, UserFacingError

KIND = "employer"

# Addresses at these domains prove nothing about which organisation someone works for.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
    "mail.com", "yandex.com", "zoho.com", "fastmail.com",
})


class FormProblem(UserFacingError):
    """A problem with one form field, shown next to it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SignUp:
    org_name: str
    website: str
    name: str
    email: str


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "employer"


def website_host(website: str) -> str:
    raw = website.strip()
    if raw and "://" not in raw:
        raw = "https://" + raw
    host = (urlsplit(raw).hostname or "").lower()
    return host.removeprefix("www.")


def domain_matches_website(email: str, website: str) -> bool:
    """True when the address's domain is the website's host or one of its parents/children."""
    domain = email.rpartition("@")[2].lower()
    host = website_host(website)
    if not domain or not host or domain in FREE_MAIL:
        return False
    return domain == host or host.endswith("." + domain) or domain.endswith("." + host)


def get_member(session: Session, member_id: int) -> EmployerMember | None:
    return session.get(EmployerMember, member_id)


def member_by_email(session: Session, email: str) -> EmployerMember | None:
    return session.scalar(
        select(EmployerMember).where(EmployerMember.email == links.normalise_email(email))
    )


def actor_for(member: EmployerMember) -> Actor:
    return Actor(kind=ActorKind.EMPLOYER, label=member.email, id=member.id,
                 employer_id=member.employer_id)


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    taken = set(session.scalars(
        select(EmployerOrg.slug).where(EmployerOrg.slug.like(f"{base}%"))
    ).all())
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_org(
    session: Session, *, name: str, website: str = "", about: str = "", verified_note: str = ""
) -> EmployerOrg:
    org = EmployerOrg(name=name.strip(), slug=_unique_slug(session, name), website=website.strip(),
                      about=about)
    if verified_note:
        org.verified_at, org.verification_note = utcnow(), verified_note
    session.add(org)
    session.flush()
    return org


def add_member(
    session: Session, *, employer: EmployerOrg, email: str, name: str = "",
    invited_by: EmployerMember | None = None,
) -> EmployerMember:
    address = links.normalise_email(email)
    if member_by_email(session, address) is not None:
        raise FormProblem("email", "This address already has an employer account.")
    member = EmployerMember(employer_id=employer.id, email=address, name=name.strip(),
                            invited_by_id=invited_by.id if invited_by else None)
    session.add(member)
    session.flush()
    return member


def sign_up(
    session: Session, *, form: SignUp, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> None:
    """Create an organisation and its first member, and email a sign-in link.

    An address that already has an account just gets a sign-in link: the page says the same
    either way, so it cannot be used to find out who has an account.
    """
    links.check_rate(store, kind=KIND, email=form.email, policy=policy)
    existing = member_by_email(session, form.email)
    if existing is not None:
        _send_sign_in(session, existing, policy=policy, link_for=link_for)
        return
    note = ""
    if domain_matches_website(form.email, form.website):
        note = (f"Email domain {form.email.rpartition('@')[2].lower()} matches website "
                f"{website_host(form.website)}")
    org = create_org(session, name=form.org_name, website=form.website, verified_note=note)
    member = add_member(session, employer=org, email=form.email, name=form.name)
    _send_sign_in(session, member, policy=policy, link_for=link_for,
                  intro=f"Welcome to Microbridge. You created the employer account for {org.name}.")


def request_sign_in(
    session: Session, *, email: str, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> None:
    """Email a sign-in link if this address belongs to a member; count the request anyway."""
    links.check_rate(store, kind=KIND, email=email, policy=policy)
    member = member_by_email(session, email)
    if member is not None:
        _send_sign_in(session, member, policy=policy, link_for=link_for)


def _send_sign_in(
    session: Session, member: EmployerMember, *, policy: LinkPolicy, link_for: LinkBuilder,
    intro: str = "Someone (we hope you) asked to sign in to the Microbridge employer portal.",
) -> None:
    links.issue_link(session, kind=KIND, account_id=member.id, email=member.email,
                     policy=policy, link_for=link_for,
                     subject="Your Microbridge sign-in link", intro=intro)


def complete_sign_in(session: Session, *, token: str) -> EmployerMember:
    """Use a sign-in link once; record the member's (first) sign-in."""
    member_id = links.redeem(session, kind=KIND, token=token)
    member = session.get(EmployerMember, member_id)
    if member is None:
        raise NotFound("The account this link was for no longer exists.")
    now = utcnow()
    member.joined_at = member.joined_at or now
    member.last_sign_in_at = now
    session.flush()
    return member


def invite(
    session: Session, *, inviter: EmployerMember, email: str, name: str, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> EmployerMember:
    """Add a colleague to the inviter's organisation and email them a sign-in link."""
    org = inviter.employer
    member = add_member(session, employer=org, email=email, name=name, invited_by=inviter)
    _link, email_row = links.issue_link(
        session, kind=KIND, account_id=member.id, email=member.email, policy=policy,
        link_for=link_for, subject=f"{inviter.display_name()} invited you to {org.name} on Microbridge",
        intro=(f"{inviter.display_name()} invited you to join {org.name} in the Microbridge "
               "employer portal, where you post micro-internship projects and review students' "
               "work.\n\nWhen this link has expired, ask for a new one on the sign-in page with "
               "this address."),
    )
    member.invitation_email_id = email_row.id
    session.flush()
    return member


def team(session: Session, *, employer_id: int) -> Sequence[tuple[EmployerMember, OutgoingEmail | None]]:
    """The organisation's members with their invitation email (to show delivery failures)."""
    rows = session.execute(
        select(EmployerMember, OutgoingEmail)
        .outerjoin(OutgoingEmail, OutgoingEmail.id == EmployerMember.invitation_email_id)
        .where(EmployerMember.employer_id == employer_id)
        .order_by(EmployerMember.id)
    ).all()
    return [(m, e) for m, e in rows]


def get_org(session: Session, org_id: int) -> EmployerOrg:
    org = session.get(EmployerOrg, org_id, options=[selectinload(EmployerOrg.members)])
    if org is None:
        raise NotFound("There is no such employer.")
    return org


def mark_verified(session: Session, *, org_id: int, note: str) -> EmployerOrg:
    """Record that someone trusted checked this employer (curators do this)."""
    org = get_org(session, org_id)
    org.verified_at = utcnow()
    org.verification_note = note.strip()[:300] or "Checked by a curator"
    session.flush()
    return org


def member_emails(session: Session, *, employer_id: int) -> list[str]:
    return list(session.scalars(
        select(EmployerMember.email).where(EmployerMember.employer_id == employer_id)
        .order_by(EmployerMember.id)
    ).all())

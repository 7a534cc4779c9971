"""Employer sign-up, sign-in by emailed link, invitations and verification."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.actors import Actor, ActorKind
from catalog.employers.models import (
    EmployerInvitation,
    EmployerMember,
    EmployerOrg,
    EmployerVerification,
    MemberRole,
)
from catalog.portal import service as links
from catalog.portal.models import MagicLink
from catalog.portal.service import LinkBuilder, LinkPolicy, single_line
from config.database import utcnow
from config.mail import OutgoingEmail
from config.store import KeyValueStore
from config.web import NotFound, UserFacingError

KIND = "employer"
ADDRESS = "employer-address"
"""A link that proves an address without an account (sign-up, invitations): who follows it
then joins an organisation that invited them or creates their own."""

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
    clean = single_line(name, 200)
    org = EmployerOrg(name=clean, slug=_unique_slug(session, clean), website=website.strip(),
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
    """Add a member; the first member of an organisation is its owner."""
    address = links.normalise_email(email)
    if member_by_email(session, address) is not None:
        raise FormProblem("email", "This address already has an employer account.")
    has_members = session.scalar(
        select(EmployerMember.id).where(EmployerMember.employer_id == employer.id).limit(1)
    ) is not None
    member = EmployerMember(employer_id=employer.id, email=address, name=single_line(name, 200),
                            invited_by_id=invited_by.id if invited_by else None,
                            role=(MemberRole.MEMBER if has_members else MemberRole.OWNER).value)
    session.add(member)
    session.flush()
    return member


def domain_note(email: str, website: str) -> str:
    """Why a proven address verifies its organisation, or '' when it does not."""
    if not domain_matches_website(email, website):
        return ""
    return (f"Email domain {email.rpartition('@')[2].lower()} matches website "
            f"{website_host(website)}")


def sign_up(
    session: Session, *, form: SignUp, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder, client_ip: str, per_ip_hour: int,
) -> None:
    """Email a link that proves the address; nothing is created before it is followed.

    An address that already has an account just gets a sign-in link: the page says the same
    either way, so it cannot be used to find out who has an account. The message carries no
    text from the form (anyone can make Microbridge mail any address).
    """
    links.check_client_rate(store, client_ip=client_ip, per_hour=per_ip_hour)
    links.check_rate(store, kind=KIND, email=form.email, policy=policy)
    existing = member_by_email(session, form.email)
    if existing is not None:
        send_sign_in(session, existing, policy=policy, link_for=link_for)
        return
    send_address_link(
        session, email=form.email, policy=policy, link_for=link_for,
        subject="Confirm your address to create a Microbridge employer account",
        intro=("Someone (we hope you) asked to create an employer account in the Microbridge "
               "employer portal with this address. Nothing has been created yet: follow the "
               "link to confirm the address and create your organisation's account."),
    )


def send_address_link(
    session: Session, *, email: str, policy: LinkPolicy, link_for: LinkBuilder, subject: str,
    intro: str,
) -> OutgoingEmail:
    _link, message = links.issue_link(session, kind=ADDRESS, account_id=0, email=email,
                                      policy=policy, link_for=link_for, subject=subject,
                                      intro=intro)
    return message


def request_sign_in(
    session: Session, *, email: str, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> None:
    """Email a sign-in link to a member, or to an address with a pending invitation; count the
    request anyway (the sign-in page counts it per client too)."""
    links.check_rate(store, kind=KIND, email=email, policy=policy)
    member = member_by_email(session, email)
    if member is not None:
        send_sign_in(session, member, policy=policy, link_for=link_for)
    elif pending_invitations(session, email=email):
        send_address_link(
            session, email=email, policy=policy, link_for=link_for,
            subject="Your Microbridge sign-in link",
            intro="Someone (we hope you) asked to sign in to the Microbridge employer portal.",
        )


def send_sign_in(
    session: Session, member: EmployerMember, *, policy: LinkPolicy, link_for: LinkBuilder,
    intro: str = "Someone (we hope you) asked to sign in to the Microbridge employer portal.",
    subject: str = "Your Microbridge sign-in link",
) -> OutgoingEmail:
    _link, message = links.issue_link(session, kind=KIND, account_id=member.id,
                                      email=member.email, policy=policy, link_for=link_for,
                                      subject=subject, intro=intro)
    return message


@dataclass(frozen=True)
class LinkFollowed:
    """Who a followed link proved: a member, or an address that has no account yet."""

    email: str
    member: EmployerMember | None
    address_link_id: int | None


def link_kind(session: Session, *, token: str) -> str:
    kind = session.scalar(
        select(MagicLink.account_kind).where(MagicLink.token_hash == links.hash_token(token))
    )
    return ADDRESS if kind == ADDRESS else KIND


def follow_link(session: Session, *, token: str) -> LinkFollowed:
    """Use a sign-in link once: sign in its member, or prove its address."""
    if link_kind(session, token=token) == ADDRESS:
        links.redeem(session, kind=ADDRESS, token=token)
        link = session.scalars(
            select(MagicLink).where(MagicLink.token_hash == links.hash_token(token))
        ).one()
        member = member_by_email(session, link.email)
        if member is None:
            return LinkFollowed(link.email, None, link.id)
        _record_sign_in(session, member)
        return LinkFollowed(member.email, member, None)
    member = complete_sign_in(session, token=token)
    return LinkFollowed(member.email, member, None)


def complete_sign_in(session: Session, *, token: str) -> EmployerMember:
    """Use a sign-in link once; record the member's (first) sign-in."""
    member_id = links.redeem(session, kind=KIND, token=token)
    member = session.get(EmployerMember, member_id)
    if member is None:
        raise NotFound("The account this link was for no longer exists.")
    _record_sign_in(session, member)
    return member


def _record_sign_in(session: Session, member: EmployerMember) -> None:
    now = utcnow()
    if member.joined_at is None:
        # The address is proven only now: this is when its domain may verify the organisation.
        org = member.employer
        note = domain_note(member.email, org.website)
        if note and org.verified_at is None:
            org.verified_at, org.verification_note = now, note
    member.joined_at = member.joined_at or now
    member.last_sign_in_at = now
    session.flush()


def address_of_link(session: Session, *, link_id: int) -> str | None:
    """The proven address behind a followed address link (a signed-in visitor's identity)."""
    link = session.get(MagicLink, link_id)
    if link is None or link.account_kind != ADDRESS or link.used_at is None:
        return None
    return link.email


def pending_invitations(session: Session, *, email: str) -> list[EmployerInvitation]:
    return list(session.scalars(
        select(EmployerInvitation)
        .where(EmployerInvitation.email == links.normalise_email(email),
               EmployerInvitation.accepted_at.is_(None),
               EmployerInvitation.expires_at > utcnow())
        .options(selectinload(EmployerInvitation.employer))
        .order_by(EmployerInvitation.id)
    ).all())


def team(session: Session, *, employer_id: int) -> Sequence[EmployerMember]:
    return session.scalars(
        select(EmployerMember).where(EmployerMember.employer_id == employer_id)
        .order_by(EmployerMember.id)
    ).all()


def get_org(session: Session, org_id: int) -> EmployerOrg:
    org = session.get(EmployerOrg, org_id, options=[selectinload(EmployerOrg.members)])
    if org is None:
        raise NotFound("There is no such employer.")
    return org


def verify_for_institution(
    session: Session, *, org_id: int, institution_id: int, note: str
) -> EmployerOrg:
    """Record that one institution's curators checked this employer (for that institution)."""
    org = get_org(session, org_id)
    row = session.scalar(select(EmployerVerification).where(
        EmployerVerification.institution_id == institution_id,
        EmployerVerification.employer_id == org.id))
    if row is None:
        row = EmployerVerification(institution_id=institution_id, employer_id=org.id)
        session.add(row)
    row.note = note.strip()[:300] or "Checked by a curator"
    session.flush()
    return org


def verified_for(
    session: Session, *, institution_id: int, employer_ids: Iterable[int]
) -> set[int]:
    """Which of these employers count as verified at this institution: a proven email domain
    that matches the website (true everywhere), or this institution's curators' check."""
    ids = set(employer_ids)
    if not ids:
        return set()
    everywhere = select(EmployerOrg.id).where(EmployerOrg.id.in_(ids),
                                              EmployerOrg.verified_at.is_not(None))
    here = select(EmployerVerification.employer_id).where(
        EmployerVerification.institution_id == institution_id,
        EmployerVerification.employer_id.in_(ids))
    return set(session.scalars(everywhere.union(here)).all())


def verified_at_institution(institution_id: int) -> ColumnElement[bool]:
    """The same rule as a column expression over EmployerOrg, for listing queries."""
    return or_(EmployerOrg.verified_at.is_not(None), exists().where(
        EmployerVerification.employer_id == EmployerOrg.id,
        EmployerVerification.institution_id == institution_id))


def member_emails(session: Session, *, employer_id: int) -> list[str]:
    return list(session.scalars(
        select(EmployerMember.email).where(EmployerMember.employer_id == employer_id)
        .order_by(EmployerMember.id)
    ).all())

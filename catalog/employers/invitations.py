"""Invitations and membership: who joins, leaves or is removed from an organisation.

An invitation binds nobody. The invitee proves the address by following an emailed link and
then accepts it, or creates their own organisation instead; until then nothing ties the address
to the inviter. Members leave, owners remove. Invitations are rate-limited per inviting member
and per organisation, and their message quotes the organisation's name only in the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerInvitation, EmployerMember, MemberRole
from catalog.employers.service import (
    KIND,
    create_org,
    domain_note,
    member_by_email,
    send_address_link,
    send_sign_in,
)
from catalog.portal import service as links
from catalog.portal.service import LinkBuilder, LinkPolicy, single_line
from config.database import utcnow
from config.mail import OutgoingEmail
from config.store import KeyValueStore
from config.web import NotAllowed, NotFound, UserFacingError

SUBJECT = "An invitation to an employer team on Microbridge"


@dataclass(frozen=True)
class InvitePolicy:
    per_inviter_hour: int = 10
    per_org_day: int = 30
    days: int = 14


class TooManyInvitations(UserFacingError):
    status = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, title="Please wait before inviting more people",
                         hint="Invitations already sent stay open; try again later.")


def _count(store: KeyValueStore, key: str, seconds: int, limit: int, message: str) -> None:
    if store.incr(key, seconds) > limit:
        raise TooManyInvitations(message)


def invite(
    session: Session, *, inviter: EmployerMember, email: str, name: str, store: KeyValueStore,
    policy: InvitePolicy, links_policy: LinkPolicy, link_for: LinkBuilder,
) -> EmployerInvitation:
    """Record a pending invitation and email it. The answer is the same whether the address
    has an account or not."""
    address = links.normalise_email(email)
    _count(store, f"employer-invite:member:{inviter.id}", 3600, policy.per_inviter_hour,
           f"You can send {policy.per_inviter_hour} invitations an hour.")
    _count(store, f"employer-invite:org:{inviter.employer_id}", 86400, policy.per_org_day,
           f"Your organisation can send {policy.per_org_day} invitations a day.")
    links.check_rate(store, kind=KIND, email=address, policy=links_policy)
    invitation = EmployerInvitation(
        employer_id=inviter.employer_id, email=address, name=single_line(name, 200),
        invited_by_id=inviter.id, expires_at=utcnow() + timedelta(days=policy.days),
    )
    session.add(invitation)
    session.flush()
    org = inviter.employer
    intro = (f"{inviter.email} invited you to join the employer team “{org.name}” in the "
             "Microbridge employer portal, where employers post micro-internship projects and "
             "review students' work.\n\nNobody is added to a team without saying yes: follow "
             "the link, then accept the invitation or create your own organisation's account. "
             f"The invitation stays open for {policy.days} days; when the link has expired, "
             "ask for a new one on the sign-in page with this address.")
    existing = member_by_email(session, address)
    message: OutgoingEmail
    if existing is not None:
        message = send_sign_in(session, existing, policy=links_policy, link_for=link_for,
                                intro=intro, subject=SUBJECT)
    else:
        message = send_address_link(session, email=address, policy=links_policy,
                                    link_for=link_for, subject=SUBJECT, intro=intro)
    invitation.invitation_email_id = message.id
    session.flush()
    return invitation


def open_invitations(session: Session, *, employer_id: int
                     ) -> Sequence[tuple[EmployerInvitation, OutgoingEmail | None]]:
    """The organisation's unanswered invitations with their email (to show delivery)."""
    rows = session.execute(
        select(EmployerInvitation, OutgoingEmail)
        .outerjoin(OutgoingEmail, OutgoingEmail.id == EmployerInvitation.invitation_email_id)
        .where(EmployerInvitation.employer_id == employer_id,
               EmployerInvitation.accepted_at.is_(None),
               EmployerInvitation.expires_at > utcnow())
        .order_by(EmployerInvitation.id)
    ).all()
    return [(i, e) for i, e in rows]


def accept(
    session: Session, *, invitation_id: int, email: str, member: EmployerMember | None
) -> EmployerMember:
    """The proven address ``email`` accepts its invitation; a member moves organisation."""
    invitation = session.get(EmployerInvitation, invitation_id)
    now = utcnow()
    if (invitation is None or invitation.email != links.normalise_email(email)
            or invitation.accepted_at is not None or invitation.expires_at <= now):
        raise NotFound("There is no open invitation with this number for your address.",
                       title="Invitation not found")
    if member is None:
        member = EmployerMember(
            employer_id=invitation.employer_id, email=invitation.email, name=invitation.name,
            invited_by_id=invitation.invited_by_id, role=MemberRole.MEMBER.value,
            joined_at=now, last_sign_in_at=now,
        )
        session.add(member)
    elif member.employer_id != invitation.employer_id:
        _hand_over(session, member)
        member.employer_id = invitation.employer_id
        member.role = MemberRole.MEMBER.value
        member.invited_by_id = invitation.invited_by_id
    invitation.accepted_at = now
    session.flush()
    return member


def create_own(
    session: Session, *, email: str, org_name: str, website: str, name: str
) -> EmployerMember:
    """A proven address creates its own organisation and becomes its owner."""
    if member_by_email(session, email) is not None:
        raise UserFacingError("This address already has an employer account: sign in instead.",
                              title="Account exists", status=409)
    now = utcnow()
    org = create_org(session, name=org_name, website=website,
                     verified_note=domain_note(email, website))
    member = EmployerMember(employer_id=org.id, email=links.normalise_email(email),
                            name=single_line(name, 200), role=MemberRole.OWNER.value,
                            joined_at=now, last_sign_in_at=now)
    session.add(member)
    session.flush()
    return member


def remove(session: Session, *, owner: EmployerMember, member_id: int) -> EmployerMember:
    """An owner removes another member of their own organisation."""
    if not owner.is_owner:
        raise NotAllowed("Only an owner of the organisation can remove members.",
                         title="Not allowed")
    target = session.get(EmployerMember, member_id)
    if target is None or target.employer_id != owner.employer_id:
        raise NotFound("There is no such member in your organisation.", title="Member not found")
    if target.id == owner.id:
        raise UserFacingError("To remove yourself, leave the organisation instead.")
    session.delete(target)
    session.flush()
    return target


def leave(session: Session, *, member: EmployerMember) -> None:
    """A member leaves; their account ends. An owner leaving hands over to the longest-standing
    member, so an organisation with members always has an owner."""
    _hand_over(session, member)
    session.delete(member)
    session.flush()


def _hand_over(session: Session, member: EmployerMember) -> None:
    if not member.is_owner:
        return
    others = session.scalars(
        select(EmployerMember).where(EmployerMember.employer_id == member.employer_id,
                                     EmployerMember.id != member.id)
        .order_by(EmployerMember.id)
    ).all()
    if others and not any(o.is_owner for o in others):
        others[0].role = MemberRole.OWNER.value

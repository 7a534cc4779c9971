"""An institution's credit policy and its credit officers: reading, editing, inviting, signing in.

Every function acts for one institution; an institution without a saved policy has the
default one (45 hours a credit, 60% minimum grade, a reflection, instructor then a credit
officer), so credit never goes unchecked because nobody filled in a form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.credit_office.models import (
    DEFAULT_HOURS_PER_CREDIT,
    DEFAULT_MINIMUM_GRADE,
    Approver,
    CreditOfficerAccount,
    CreditPolicy,
)
from catalog.employers.service import FormProblem
from catalog.institutions.models import Institution
from catalog.portal import service as links
from catalog.portal.service import LinkBuilder, LinkPolicy
from config.database import utcnow
from config.store import KeyValueStore
from config.web import NotAllowed, NotFound

KIND = "credit_officer"
MAX_HOURS_PER_CREDIT = Decimal("1000")


@dataclass(frozen=True)
class Policy:
    """The policy in force: the saved one, or the defaults."""

    hours_per_credit: Decimal = DEFAULT_HOURS_PER_CREDIT
    minimum_grade_percent: Decimal = DEFAULT_MINIMUM_GRADE
    reflection_required: bool = True
    approver: Approver = Approver.INSTRUCTOR_THEN_OFFICER
    saved: bool = False

    @property
    def needs_officer(self) -> bool:
        return self.approver is Approver.INSTRUCTOR_THEN_OFFICER


def policy_for(session: Session, *, institution_id: int | None) -> Policy:
    row = None if institution_id is None else session.scalar(
        select(CreditPolicy).where(CreditPolicy.institution_id == institution_id)
    )
    if row is None:
        return Policy()
    return Policy(hours_per_credit=row.hours_per_credit,
                  minimum_grade_percent=row.minimum_grade_percent,
                  reflection_required=row.reflection_required, approver=Approver(row.approver),
                  saved=True)


def parse_policy(values: dict[str, str]) -> tuple[Policy | None, dict[str, str]]:
    """A policy from the form's text; None with a message per field when something is wrong."""
    errors: dict[str, str] = {}
    hours = _decimal(values.get("hours_per_credit", ""))
    if hours is None or not Decimal(1) <= hours <= MAX_HOURS_PER_CREDIT:
        errors["hours_per_credit"] = "Enter the hours of work per credit, from 1 to 1000 (e.g. 45)."
    grade = _decimal(values.get("minimum_grade_percent", ""))
    if grade is None or not Decimal(0) <= grade <= Decimal(100):
        errors["minimum_grade_percent"] = "Enter the minimum grade as a percentage from 0 to 100."
    try:
        approver = Approver(values.get("approver", ""))
    except ValueError:
        errors["approver"] = "Choose who approves credit."
    if errors or hours is None or grade is None:
        return None, errors
    return Policy(hours_per_credit=hours.quantize(Decimal("0.01")),
                  minimum_grade_percent=grade.quantize(Decimal("0.01")),
                  reflection_required=values.get("reflection_required") == "yes",
                  approver=approver, saved=True), {}


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def save_policy(session: Session, *, actor: Actor, policy: Policy) -> CreditPolicy:
    """The institution's curators (or LMS administrators) set its credit policy."""
    institution_id = _staff_institution(actor)
    row = session.scalar(select(CreditPolicy).where(CreditPolicy.institution_id == institution_id))
    if row is None:
        row = CreditPolicy(institution_id=institution_id)
        session.add(row)
    row.hours_per_credit = policy.hours_per_credit
    row.minimum_grade_percent = policy.minimum_grade_percent
    row.reflection_required = policy.reflection_required
    row.approver = policy.approver.value
    row.updated_by = actor.label[:320]
    session.flush()
    return row


def _staff_institution(actor: Actor) -> int:
    if actor.kind not in {ActorKind.CURATOR, ActorKind.LTI_ADMIN, ActorKind.CREDIT_OFFICER} \
            or actor.institution_id is None:
        raise NotAllowed("Only the institution's staff can change its credit policy.",
                         title="Institution staff only")
    return actor.institution_id


# -- credit officers ------------------------------------------------------------------------


def actor_for(account: CreditOfficerAccount) -> Actor:
    return Actor(kind=ActorKind.CREDIT_OFFICER, label=account.email, id=account.id,
                 institution_id=account.institution_id)


def get_account(session: Session, account_id: int) -> CreditOfficerAccount | None:
    return session.get(CreditOfficerAccount, account_id)


def officers(session: Session, *, institution_id: int) -> Sequence[CreditOfficerAccount]:
    return session.scalars(
        select(CreditOfficerAccount).where(CreditOfficerAccount.institution_id == institution_id)
        .order_by(CreditOfficerAccount.email)
    ).all()


def has_officer(session: Session, *, institution_id: int | None) -> bool:
    """Whether anyone holds a credit officer account at the institution."""
    if institution_id is None:
        return False
    return bool(session.scalar(select(exists().where(
        CreditOfficerAccount.institution_id == institution_id))))


def create_account(
    session: Session, *, institution_id: int, email: str, name: str = "", invited_by: str = ""
) -> CreditOfficerAccount:
    address = links.normalise_email(email)
    if session.scalar(select(CreditOfficerAccount.id).where(CreditOfficerAccount.email == address)):
        raise FormProblem("email", "This address already has a credit officer account.")
    account = CreditOfficerAccount(institution_id=institution_id, email=address,
                                   name=links.single_line(name, 200), invited_by=invited_by[:320])
    session.add(account)
    session.flush()
    return account


def invite_officer(
    session: Session, *, actor: Actor, email: str, name: str, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> CreditOfficerAccount:
    """Give a colleague a credit officer account at the actor's institution, and email a link."""
    institution_id = _staff_institution(actor)
    account = create_account(session, institution_id=institution_id, email=email, name=name,
                             invited_by=actor.label)
    institution = session.get(Institution, institution_id)
    links.issue_link(
        session, kind=KIND, account_id=account.id, email=account.email, policy=policy,
        link_for=link_for, subject="You are a Microbridge credit officer",
        intro=(f"{actor.label} made you a credit officer of "
               f"{institution.name if institution else 'your institution'} in Microbridge: you "
               "approve the academic credit instructors recommend for project work.\n\nWhen "
               "this link has expired, ask for a new one on the credit office sign-in page "
               "with this address."),
    )
    return account


def request_sign_in(
    session: Session, *, email: str, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> None:
    links.check_rate(store, kind=KIND, email=email, policy=policy)
    account = session.scalar(
        select(CreditOfficerAccount).where(
            CreditOfficerAccount.email == links.normalise_email(email))
    )
    if account is not None:
        links.issue_link(
            session, kind=KIND, account_id=account.id, email=account.email, policy=policy,
            link_for=link_for, subject="Your Microbridge credit office sign-in link",
            intro="Someone (we hope you) asked to sign in to Microbridge as a credit officer.",
        )


def complete_sign_in(session: Session, *, token: str) -> CreditOfficerAccount:
    account = session.get(CreditOfficerAccount, links.redeem(session, kind=KIND, token=token))
    if account is None:
        raise NotFound("The account this link was for no longer exists.")
    now = utcnow()
    account.joined_at = account.joined_at or now
    account.last_sign_in_at = now
    session.flush()
    return account

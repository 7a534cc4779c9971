"""Curating an institution's catalog: the queue, decisions, and telling employers.

Every function acts for one institution, the actor's; a project that was not offered to it
looks exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.actors import Actor, ActorKind
from catalog.curation.models import CurationDecision, CuratorAccount, Decision
from catalog.employers import service as employers
from catalog.employers.models import EmployerOrg
from catalog.institutions.models import Institution
from catalog.portal import service as links
from catalog.portal.service import LinkBuilder, LinkPolicy
from catalog.projects import guardrails, listing
from catalog.projects import service as projects
from catalog.projects.content import ProjectContent
from catalog.projects.guardrails import PayPolicy
from catalog.projects.models import (
    Project,
    ProjectEvent,
    ProjectOffer,
    ProjectRevision,
    RevisionState,
)
from catalog.projects.service import GuardrailsNotMet, TransitionRefused
from config import notices
from config.database import utcnow
from config.store import KeyValueStore
from config.web import NotAllowed, NotFound, UserFacingError

KIND = "curator"
ProjectLink = Callable[[int], str]


@dataclass(frozen=True)
class QueueItem:
    offer: ProjectOffer
    project: Project
    revision: ProjectRevision
    employer: EmployerOrg
    employer_verified: bool
    """Verified for this institution (see employers.verified_for)."""

    @property
    def is_update(self) -> bool:
        """The institution lists an older revision already: this is a change to review."""
        return self.offer.listed_revision_id is not None


@dataclass(frozen=True)
class Review:
    institution: Institution
    offer: ProjectOffer
    project: Project
    revision: ProjectRevision
    """What the curator looks at: the pending revision, or else the listed one."""
    listed: ProjectRevision | None
    problems: dict[str, str]
    decisions: Sequence[CurationDecision]
    events: Sequence[ProjectEvent]
    employer_verified: bool

    @property
    def pending(self) -> bool:
        return self.offer.pending_revision_id == self.revision.id


def require_curator(actor: Actor) -> int:
    if not actor.is_curator or actor.institution_id is None:
        raise NotAllowed("Only an institution's curators can do this.", title="Curators only")
    return actor.institution_id


def queue(session: Session, *, institution_id: int) -> list[QueueItem]:
    """Submitted revisions this institution has not decided on, oldest first."""
    rows = session.execute(
        select(ProjectOffer, ProjectRevision, Project, EmployerOrg)
        .join(ProjectRevision, ProjectRevision.id == ProjectOffer.pending_revision_id)
        .join(Project, Project.id == ProjectOffer.project_id)
        .join(EmployerOrg, EmployerOrg.id == Project.employer_id)
        .where(ProjectOffer.institution_id == institution_id)
        .order_by(ProjectRevision.submitted_at, ProjectRevision.id)
    ).all()
    return _items(session, institution_id, rows)


def listed(session: Session, *, institution_id: int) -> list[QueueItem]:
    """What this institution's catalog offers now."""
    rows = session.execute(
        select(ProjectOffer, ProjectRevision, Project, EmployerOrg)
        .join(ProjectRevision, ProjectRevision.id == ProjectOffer.listed_revision_id)
        .join(Project, Project.id == ProjectOffer.project_id)
        .join(EmployerOrg, EmployerOrg.id == Project.employer_id)
        .where(ProjectOffer.institution_id == institution_id)
        .order_by(ProjectRevision.title)
    ).all()
    return _items(session, institution_id, rows)


def _items(session: Session, institution_id: int, rows: Sequence[Any]) -> list[QueueItem]:
    verified = employers.verified_for(session, institution_id=institution_id,
                                      employer_ids=[e.id for _o, _r, _p, e in rows])
    return [QueueItem(offer=o, revision=r, project=p, employer=e,
                      employer_verified=e.id in verified) for o, r, p, e in rows]


def _offer(session: Session, institution_id: int, project_id: int) -> ProjectOffer:
    offer = session.scalar(
        select(ProjectOffer).where(ProjectOffer.institution_id == institution_id,
                                   ProjectOffer.project_id == project_id)
    )
    if offer is None:
        raise NotFound("This project was not offered to your institution.",
                       title="Project not found")
    return offer


def review(session: Session, *, institution_id: int, project_id: int, policy: PayPolicy) -> Review:
    """Everything a curator needs to decide on one project."""
    offer = _offer(session, institution_id, project_id)
    project = projects.get(session, project_id)
    revision_id = offer.pending_revision_id or offer.listed_revision_id
    revision = next((r for r in project.revisions if r.id == revision_id), project.latest)
    listed_rev = next((r for r in project.revisions if r.id == offer.listed_revision_id), None)
    decisions = session.scalars(
        select(CurationDecision).where(CurationDecision.institution_id == institution_id,
                                       CurationDecision.project_id == project_id)
        .order_by(CurationDecision.id)
    ).all()
    events = session.scalars(
        select(ProjectEvent).where(
            ProjectEvent.project_id == project_id,
            (ProjectEvent.institution_id.is_(None))
            | (ProjectEvent.institution_id == institution_id),
        ).order_by(ProjectEvent.id)
    ).all()
    institution = session.get(Institution, institution_id)
    assert institution is not None
    return Review(
        institution=institution, offer=offer, project=project, revision=revision,
        listed=listed_rev, problems=guardrails.problems(ProjectContent.of(revision), policy),
        decisions=decisions, events=events,
        employer_verified=project.employer_id in employers.verified_for(
            session, institution_id=institution_id, employer_ids=[project.employer_id]),
    )


def decide(
    session: Session, *, actor: Actor, project_id: int, decision: Decision, note: str,
    policy: PayPolicy, project_link: ProjectLink,
) -> CurationDecision:
    """Approve, request changes to, reject, or remove a project for the actor's institution."""
    institution_id = require_curator(actor)
    note = note.strip()
    if decision != Decision.APPROVED and not note:
        raise NoteNeeded()
    offer = _offer(session, institution_id, project_id)
    project = projects.get(session, project_id)
    if decision == Decision.REMOVED:
        revision = _remove(offer, project)
    else:
        revision = _pending(offer, project)
        if decision == Decision.APPROVED:
            _approve(offer, revision, policy)
        elif decision == Decision.CHANGES_REQUESTED:
            _request_changes(offer, project, revision)
        else:
            _reject(offer, project, revision)
    listing.sync(session, offer)
    now = utcnow()
    offer.last_decision, offer.decided_at = decision.value, now
    row = CurationDecision(
        institution_id=institution_id, project_id=project.id, revision_id=revision.id,
        decision=decision.value, note=note, actor_kind=actor.kind.value, actor_id=actor.id,
        actor_label=actor.label,
    )
    session.add(row)
    session.flush()
    projects.settle(session, project, action=decision.value, actor=actor, note=note,
                    revision=revision, institution_id=institution_id)
    row.notified_email_ids = ",".join(
        str(e) for e in _tell_employer(session, project, revision, row, project_link)
    )
    session.flush()
    return row


class NoteNeeded(UserFacingError):
    def __init__(self) -> None:
        super().__init__("Write a note telling the employer why.", title="A note is needed")


def _pending(offer: ProjectOffer, project: Project) -> ProjectRevision:
    revision = next((r for r in project.revisions if r.id == offer.pending_revision_id), None)
    if revision is None:
        raise TransitionRefused("Nothing about this project is waiting for your decision.",
                                title="Already decided")
    return revision


def _approve(offer: ProjectOffer, revision: ProjectRevision, policy: PayPolicy) -> None:
    found = guardrails.problems(ProjectContent.of(revision), policy)
    if found:
        raise GuardrailsNotMet(found)
    now = utcnow()
    revision.state = RevisionState.PUBLISHED.value
    revision.published_at = revision.published_at or now
    offer.listed_revision_id, offer.listed_at = revision.id, now
    offer.pending_revision_id = None


def _request_changes(offer: ProjectOffer, project: Project, revision: ProjectRevision) -> None:
    offer.pending_revision_id = None
    if revision.state != RevisionState.IN_REVIEW:
        return  # published elsewhere already: only this institution's queue lets it go
    # Not published anywhere: the employer edits this same revision, so it leaves every
    # queue until it is sent again.
    revision.state = RevisionState.CHANGES_REQUESTED.value
    revision.submitted_at = None
    for other in project.offers:
        if other.pending_revision_id == revision.id:
            other.pending_revision_id = None


def _reject(offer: ProjectOffer, project: Project, revision: ProjectRevision) -> None:
    offer.pending_revision_id = None
    still_pending = any(o.pending_revision_id == revision.id for o in project.offers)
    if revision.state == RevisionState.IN_REVIEW and not still_pending:
        revision.state = RevisionState.REJECTED.value


def _remove(offer: ProjectOffer, project: Project) -> ProjectRevision:
    revision = next((r for r in project.revisions if r.id == offer.listed_revision_id), None)
    if revision is None:
        raise TransitionRefused("This project is not in your catalog.", title="Not listed")
    offer.listed_revision_id, offer.listed_at = None, None
    return revision


_SUBJECTS = {
    Decision.APPROVED: "{inst} approved “{title}”",
    Decision.CHANGES_REQUESTED: "{inst} asks for changes to “{title}”",
    Decision.REJECTED: "{inst} declined “{title}”",
    Decision.REMOVED: "{inst} removed “{title}” from its catalog",
}


def _tell_employer(
    session: Session, project: Project, revision: ProjectRevision, row: CurationDecision,
    project_link: ProjectLink,
) -> list[int]:
    institution = session.get(Institution, row.institution_id)
    inst = institution.name if institution else "An institution"
    decision = Decision(row.decision)
    subject = _SUBJECTS[decision].format(inst=inst, title=revision.title)
    lines = [f"{subject} (revision {revision.number})."]
    if decision == Decision.APPROVED:
        lines.append(f"Instructors and students at {inst} can now find it in their catalog.")
    if row.note:
        lines += ["", "The curator's note:", row.note]
    lines += ["", f"See the project: {project_link(project.id)}"]
    body = "\n".join(lines)
    sent = [
        notices.notify(session, to=address, kind="curation_decision", subject=subject, body=body,
                       institution_id=row.institution_id,
                       reason=f"you offered “{revision.title}” to {inst} on Microbridge.")
        for address in employers.member_emails(session, employer_id=project.employer_id)
    ]
    return [email.id for email in sent if email is not None]


def verify_employer(session: Session, *, actor: Actor, employer_id: int, note: str) -> EmployerOrg:
    """Mark an employer verified; only for employers that offered this institution a project."""
    institution_id = require_curator(actor)
    offered = session.scalar(
        select(ProjectOffer.id).join(Project, Project.id == ProjectOffer.project_id)
        .where(Project.employer_id == employer_id, ProjectOffer.institution_id == institution_id)
        .limit(1)
    )
    if offered is None:
        raise NotFound("This employer has not offered your institution any project.")
    return employers.verify_for_institution(
        session, org_id=employer_id, institution_id=institution_id,
        note=f"{links.single_line(note, 200) or 'Checked'} ({actor.label})")


# -- curator accounts -----------------------------------------------------------------------


def actor_for(account: CuratorAccount) -> Actor:
    return Actor(kind=ActorKind.CURATOR, label=account.email, id=account.id,
                 institution_id=account.institution_id)


def get_account(session: Session, account_id: int) -> CuratorAccount | None:
    return session.get(CuratorAccount, account_id)


def create_account(
    session: Session, *, institution_id: int, email: str, name: str = "", invited_by: str = ""
) -> CuratorAccount:
    address = links.normalise_email(email)
    if session.scalar(select(CuratorAccount.id).where(CuratorAccount.email == address)):
        raise employers.FormProblem("email", "This address already has a curator account.")
    account = CuratorAccount(institution_id=institution_id, email=address,
                             name=links.single_line(name, 200),
                             invited_by=invited_by)
    session.add(account)
    session.flush()
    return account


def request_sign_in(
    session: Session, *, email: str, store: KeyValueStore, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> None:
    links.check_rate(store, kind=KIND, email=email, policy=policy)
    account = session.scalar(
        select(CuratorAccount).where(CuratorAccount.email == links.normalise_email(email))
    )
    if account is not None:
        links.issue_link(
            session, kind=KIND, account_id=account.id, email=account.email, policy=policy,
            link_for=link_for, subject="Your Microbridge curator sign-in link",
            intro="Someone (we hope you) asked to sign in to Microbridge as a curator.",
            institution_id=account.institution_id,
        )


def complete_sign_in(session: Session, *, token: str) -> CuratorAccount:
    account = session.get(CuratorAccount, links.redeem(session, kind=KIND, token=token))
    if account is None:
        raise NotFound("The account this link was for no longer exists.")
    now = utcnow()
    account.joined_at = account.joined_at or now
    account.last_sign_in_at = now
    session.flush()
    return account


def invite_curator(
    session: Session, *, actor: Actor, email: str, name: str, policy: LinkPolicy,
    link_for: LinkBuilder,
) -> CuratorAccount:
    """Give a colleague a curator account at the actor's institution."""
    institution_id = require_curator(actor)
    account = create_account(session, institution_id=institution_id, email=email, name=name,
                             invited_by=actor.label)
    institution = session.get(Institution, institution_id)
    links.issue_link(
        session, kind=KIND, account_id=account.id, email=account.email, policy=policy,
        link_for=link_for, subject="You are a Microbridge curator",
        intro=(f"{actor.label} made you a curator of {institution.name if institution else ''}'s "
               "Microbridge catalog: you review employers' projects before instructors and "
               "students see them.\n\nWhen this link has expired, ask for a new one on the "
               "curator sign-in page with this address."),
        institution_id=institution_id,
    )
    return account


def curators(session: Session, *, institution_id: int) -> Sequence[CuratorAccount]:
    return session.scalars(
        select(CuratorAccount).where(CuratorAccount.institution_id == institution_id)
        .order_by(CuratorAccount.email)
    ).all()

"""The project lifecycle, from the employer's side.

draft -> in_review -> published -> archived, with changes_requested and rejected on the way
back from a curator. Curators' decisions live in catalog.curation; both record every status
change here, in ProjectEvent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from catalog.actors import Actor, ActorKind
from catalog.curation.notices import tell_curators
from catalog.institutions.models import Institution
from catalog.projects import guardrails, listing
from catalog.projects.content import ProjectContent
from catalog.projects.guardrails import PayPolicy
from catalog.projects.models import (
    Project,
    ProjectEvent,
    ProjectOffer,
    ProjectRevision,
    ProjectStatus,
    RevisionSkill,
    RevisionState,
    RubricCriterion,
    RubricLevel,
)
from config.database import utcnow
from config.web import NotAllowed, NotFound, UserFacingError


class TransitionRefused(UserFacingError):
    status = 409


class GuardrailsNotMet(UserFacingError):
    """The project breaks a publishing rule; ``problems`` maps form fields to messages."""

    status = 422

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(
            "This project does not meet Microbridge's rules for fair pay and unpaid work yet.",
            title="Not ready to submit",
            hint=" ".join(problems.values()),
        )
        self.problems = problems


_LOAD = (
    selectinload(Project.revisions).selectinload(ProjectRevision.skills),
    selectinload(Project.revisions).selectinload(ProjectRevision.criteria)
    .selectinload(RubricCriterion.levels),
    selectinload(Project.offers),
    selectinload(Project.employer),
)


def get(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id, options=_LOAD)
    if project is None:
        raise NotFound("There is no such project.", title="Project not found")
    return project


def get_for_employer(session: Session, *, employer_id: int, project_id: int) -> Project:
    """The project, only if it belongs to this employer (others' look like missing ones)."""
    project = session.get(Project, project_id, options=_LOAD)
    if project is None or project.employer_id != employer_id:
        raise NotFound("There is no such project in your organisation.",
                       title="Project not found")
    return project


def list_for_employer(session: Session, *, employer_id: int) -> Sequence[Project]:
    return session.scalars(
        select(Project).where(Project.employer_id == employer_id)
        .options(selectinload(Project.revisions), selectinload(Project.offers))
        .order_by(Project.updated_at.desc(), Project.id.desc())
    ).all()


def history(session: Session, *, project_id: int) -> Sequence[ProjectEvent]:
    return session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project_id)
        .order_by(ProjectEvent.id)
    ).all()


def record(
    session: Session, project: Project, *, action: str, actor: Actor, from_status: str,
    note: str = "", revision: ProjectRevision | None = None, institution_id: int | None = None,
) -> ProjectEvent:
    """Write one history entry; the project's status at this moment is the 'to' side."""
    event = ProjectEvent(
        project_id=project.id, revision_id=revision.id if revision else None,
        institution_id=institution_id, action=action, from_status=from_status,
        to_status=project.status, actor_kind=actor.kind.value, actor_id=actor.id,
        actor_label=actor.label, note=note.strip(),
    )
    session.add(event)
    return event


def derive_status(project: Project) -> ProjectStatus:
    """What the project's status is, from its revisions and listings (unless archived)."""
    if project.status == ProjectStatus.ARCHIVED:
        return ProjectStatus.ARCHIVED
    if any(offer.listed_revision_id for offer in project.offers):
        return ProjectStatus.PUBLISHED
    return ProjectStatus(project.latest.state)


def settle(
    session: Session, project: Project, *, action: str, actor: Actor, note: str = "",
    revision: ProjectRevision | None = None, institution_id: int | None = None,
    status: ProjectStatus | None = None,
) -> ProjectEvent:
    """Set the project's status (given, or derived) and record the step."""
    before = project.status
    project.status = (status or derive_status(project)).value
    project.updated_at = utcnow()
    session.flush()
    event = record(session, project, action=action, actor=actor, from_status=before, note=note,
                   revision=revision, institution_id=institution_id)
    session.flush()
    return event


def _require_employer(actor: Actor, project: Project) -> None:
    if actor.kind != ActorKind.EMPLOYER or actor.employer_id != project.employer_id:
        raise NotFound("There is no such project in your organisation.",
                       title="Project not found")


def create(session: Session, *, actor: Actor, content: ProjectContent) -> Project:
    """Start a project as a draft with its first revision."""
    if actor.kind != ActorKind.EMPLOYER or actor.employer_id is None:
        raise NotAllowed("Only an employer's members create its projects.")
    project = Project(employer_id=actor.employer_id, status=ProjectStatus.DRAFT.value)
    session.add(project)
    session.flush()
    revision = ProjectRevision(project_id=project.id, number=1, created_by=actor.label,
                               state=RevisionState.DRAFT.value)
    write_content(revision, content)
    project.revisions.append(revision)
    session.flush()
    record(session, project, action="created", actor=actor, from_status="", revision=revision)
    session.flush()
    return project


def write_content(revision: ProjectRevision, content: ProjectContent) -> None:
    """Copy validated content onto a revision that may still change."""
    for name in ("title", "summary", "brief_md", "discipline", "estimated_hours", "work_mode",
                 "location", "compensation_type", "pay_amount", "pay_currency", "course_tied",
                 "credit_bearing", "time_boxed", "team_size", "capacity", "window_start",
                 "window_end"):
        setattr(revision, name, getattr(content, name))
    if content.compensation_type == "unpaid":
        revision.pay_amount, revision.pay_currency = None, ""
    revision.deliverables = list(content.deliverables)
    revision.skills_text = ", ".join(s.label for s in content.skills)
    session = object_session(revision)
    if session is not None and revision.id is not None:
        # Delete the old rows first: the unit of work would insert the new ones first and
        # trip the (revision, skill) unique constraint.
        revision.skills.clear()
        revision.criteria.clear()
        session.flush()
    revision.skills = [
        RevisionSkill(position=i, slug=s.slug, label=s.label, in_taxonomy=s.in_taxonomy)
        for i, s in enumerate(content.skills)
    ]
    revision.criteria = [
        RubricCriterion(
            position=i, title=c.title, description=c.description,
            levels=[RubricLevel(position=j, label=lv.label, points=lv.points,
                                description=lv.description) for j, lv in enumerate(c.levels)],
        )
        for i, c in enumerate(content.rubric)
    ]


def update(
    session: Session, *, actor: Actor, project_id: int, content: ProjectContent
) -> ProjectRevision:
    """Save an edit: in place on an unpublished revision, as a new revision otherwise."""
    project = get(session, project_id)
    _require_employer(actor, project)
    latest = project.latest
    if project.status == ProjectStatus.ARCHIVED:
        raise TransitionRefused("An archived project cannot be edited; reopen it first.",
                                title="Project archived")
    if latest.state == RevisionState.IN_REVIEW:
        raise TransitionRefused(
            "This version is with the curators. Withdraw it from review to change it.",
            title="In review",
        )
    if RevisionState(latest.state).editable:
        write_content(latest, content)
        session.flush()
        settle(session, project, action="edited", actor=actor, revision=latest)
        return latest
    revision = ProjectRevision(project_id=project.id, number=latest.number + 1,
                               created_by=actor.label, state=RevisionState.DRAFT.value)
    write_content(revision, content)
    project.revisions.append(revision)
    session.flush()
    settle(session, project, action="revised", actor=actor, revision=revision,
           note=f"Revision {revision.number} started from revision {latest.number}.")
    return revision


def submit(
    session: Session, *, actor: Actor, project_id: int, institution_ids: Iterable[int],
    policy: PayPolicy,
) -> Project:
    """Send the working revision to the chosen institutions' curators."""
    project = get(session, project_id)
    _require_employer(actor, project)
    revision = project.latest
    if project.status == ProjectStatus.ARCHIVED or not RevisionState(revision.state).editable:
        raise TransitionRefused(
            "There is no draft to submit: edit the project to start a new version.",
            title="Nothing to submit",
        )
    found = guardrails.problems(ProjectContent.of(revision), policy)
    if found:
        raise GuardrailsNotMet(found)
    chosen = _institutions(session, institution_ids)
    now = utcnow()
    revision.state = RevisionState.IN_REVIEW.value
    revision.submitted_at = now
    offers = {offer.institution_id: offer for offer in project.offers}
    for institution in chosen:
        offer = offers.get(institution.id)
        if offer is None:
            offer = ProjectOffer(project_id=project.id, institution_id=institution.id)
            session.add(offer)
            project.offers.append(offer)
        offer.pending_revision_id = revision.id
    for institution_id, offer in offers.items():
        if institution_id not in {i.id for i in chosen}:
            offer.pending_revision_id = None
    session.flush()
    # The employer reads this note: a count, not the names of every institution.
    count = f"{len(chosen)} institution{'s' if len(chosen) != 1 else ''}"
    settle(session, project, action="submitted", actor=actor, revision=revision,
           note=f"Revision {revision.number} sent for review to {count}.")
    tell_curators(session, institutions=chosen, project_id=project.id, title=revision.title,
                  employer_name=project.employer.name)
    return project


def _institutions(session: Session, ids: Iterable[int]) -> list[Institution]:
    wanted = sorted(set(ids))
    if not wanted:
        raise UserFacingError("Choose at least one institution to offer the project to.",
                              title="No institution chosen")
    found = list(session.scalars(
        select(Institution).where(Institution.id.in_(wanted)).order_by(Institution.name)
    ).all())
    if len(found) != len(wanted):
        raise NotFound("One of the chosen institutions does not exist.")
    return found


def withdraw(session: Session, *, actor: Actor, project_id: int, note: str = "") -> Project:
    """Take a revision back from review so it can be changed."""
    project = get(session, project_id)
    _require_employer(actor, project)
    revision = project.latest
    if revision.state != RevisionState.IN_REVIEW:
        raise TransitionRefused("This project has nothing in review to withdraw.")
    revision.state = RevisionState.DRAFT.value
    revision.submitted_at = None
    for offer in project.offers:
        if offer.pending_revision_id == revision.id:
            offer.pending_revision_id = None
    settle(session, project, action="withdrawn", actor=actor, revision=revision, note=note)
    return project


def archive(session: Session, *, actor: Actor, project_id: int, note: str = "") -> Project:
    """Stop offering the project anywhere; placements made already keep working."""
    project = get(session, project_id)
    _require_employer(actor, project)
    if project.status == ProjectStatus.ARCHIVED:
        raise TransitionRefused("This project is already archived.")
    latest = project.latest
    if latest.state == RevisionState.IN_REVIEW:
        latest.state, latest.submitted_at = RevisionState.DRAFT.value, None
    for offer in project.offers:
        offer.pending_revision_id = None
        offer.listed_revision_id = None
        offer.listed_at = None
        listing.sync(session, offer)
    settle(session, project, action="archived", actor=actor, note=note,
           status=ProjectStatus.ARCHIVED)
    return project


def reopen(session: Session, *, actor: Actor, project_id: int) -> Project:
    """Bring an archived project back as a draft, to be reviewed again."""
    project = get(session, project_id)
    _require_employer(actor, project)
    if project.status != ProjectStatus.ARCHIVED:
        raise TransitionRefused("Only an archived project can be reopened.")
    latest = project.latest
    revision = latest
    if not RevisionState(latest.state).editable:
        revision = ProjectRevision(project_id=project.id, number=latest.number + 1,
                                   created_by=actor.label, state=RevisionState.DRAFT.value)
        write_content(revision, ProjectContent.of(latest))
        project.revisions.append(revision)
        session.flush()
    settle(session, project, action="reopened", actor=actor, revision=revision,
           status=ProjectStatus.DRAFT)
    return project


def all_institution_ids(session: Session) -> list[int]:
    """Every institution: what "offer to every institution" sends to (ids, never shown)."""
    return list(session.scalars(select(Institution.id)))


def institutions_known_to(session: Session, *, employer_id: int) -> Sequence[Institution]:
    """The institutions that have decided on one of the employer's projects: the only ones
    whose names the employer sees (which institutions use Microbridge is not theirs to list)."""
    decided = (
        select(ProjectOffer.institution_id)
        .join(Project, Project.id == ProjectOffer.project_id)
        .where(Project.employer_id == employer_id,
               (ProjectOffer.last_decision != "") | ProjectOffer.listed_revision_id.is_not(None))
    )
    return session.scalars(
        select(Institution).where(Institution.id.in_(decided)).order_by(Institution.name)
    ).all()


def get_revision(session: Session, revision_id: int) -> ProjectRevision | None:
    return session.get(
        ProjectRevision, revision_id,
        options=[selectinload(ProjectRevision.skills),
                 selectinload(ProjectRevision.criteria).selectinload(RubricCriterion.levels)],
    )

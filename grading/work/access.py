"""Who may see which placement and which work: the checks every work page starts with.

A launch carries one course; a placement of another course looks like a missing one. A
learner sees only their own work (or their team's); instructors see their course's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerOrg
from catalog.projects.models import ProjectRevision
from config.web import LaunchIdentity, NotFound
from grading.people.models import Person
from grading.placements.models import Placement
from grading.work import launches
from grading.work.models import Submission, TeamMember


def placement_in_course(session: Session, *, identity: LaunchIdentity, placement_id: int) -> Placement:
    """The placement, only if it belongs to the course of this launch."""
    placement = session.get(Placement, placement_id)
    if placement is None or placement.course_id != identity.course_id:
        raise NotFound(
            "There is no such project in this course.", title="Project not found",
            hint="Open the project again from your course in the LMS.",
        )
    return placement


def placement_for_launch(session: Session, *, identity: LaunchIdentity) -> Placement | None:
    """The placement at the resource link this launch came from, if one is there."""
    link = launches.resource_link_id(identity)
    if link is None or identity.course_id is None:
        return None
    return session.scalar(
        select(Placement).where(
            Placement.course_id == identity.course_id, Placement.resource_link_id == link
        )
    )


def person(session: Session, identity: LaunchIdentity) -> Person:
    found = session.get(Person, identity.person_id)
    if found is None:
        raise NotFound("Your account is no longer known to Microbridge.", title="Not found")
    return found


@dataclass(frozen=True)
class ProjectInfo:
    revision: ProjectRevision | None
    employer: EmployerOrg | None

    @property
    def employer_name(self) -> str:
        return self.employer.name if self.employer else "the employer"


def project_info(session: Session, placement: Placement) -> ProjectInfo:
    """The catalog revision placed here and the employer behind it."""
    revision = session.get(ProjectRevision, placement.project_revision_id)
    employer = revision.project.employer if revision is not None else None
    return ProjectInfo(revision, employer)


def employer_id_of(session: Session, placement: Placement) -> int | None:
    info = project_info(session, placement)
    return info.employer.id if info.employer else None


def member_ids(session: Session, submission: Submission) -> list[int]:
    """Who a submission belongs to: the people it was submitted for."""
    if submission.member_ids:
        return list(submission.member_ids)
    return [submission.person_id] if submission.person_id is not None else []


def learner_may_see(session: Session, *, submission: Submission, person_id: int) -> bool:
    """A learner sees a submission made for them, or for the team they are in now."""
    if person_id in member_ids(session, submission):
        return True
    if submission.team_id is None:
        return False
    return session.scalar(
        select(TeamMember.id).where(
            TeamMember.team_id == submission.team_id, TeamMember.person_id == person_id
        )
    ) is not None


def submission_for_viewer(
    session: Session, *, identity: LaunchIdentity, submission_id: int
) -> Submission:
    """A submission the launched person may see: instructors in their course, learners theirs."""
    submission = session.get(Submission, submission_id)
    placement = session.get(Placement, submission.placement_id) if submission else None
    if submission is None or placement is None or placement.course_id != identity.course_id:
        raise NotFound("There is no such submission in this course.", title="Not found")
    if identity.is_instructor:
        return submission
    if not learner_may_see(session, submission=submission, person_id=identity.person_id):
        # Someone else's work looks like missing work: not even its existence is disclosed.
        raise NotFound("There is no such submission in this course.", title="Not found")
    return submission

"""The catalog project placed in a course, and the employer behind it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from catalog.employers.models import EmployerOrg
from catalog.projects.models import ProjectRevision
from grading.placements.models import Placement


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

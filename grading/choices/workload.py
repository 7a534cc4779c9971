"""A student's hours a week across their active projects, against what they said they have.

Active: a project whose date window has not ended, that the student was assigned (a choice
set) or started (a single placed project). A project's weekly hours are its estimated hours
over the weeks of its window (``catalog.matching.fit.weekly_hours``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.matching.fit import weekly_hours
from catalog.projects.models import ProjectRevision
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceOption, ChoiceSet
from grading.consent.models import Participation
from grading.placements.models import Placement
from grading.profiles.models import StudentProfile


@dataclass(frozen=True)
class Commitment:
    placement_id: int
    title: str
    hours_per_week: float
    ends: date


@dataclass(frozen=True)
class Workload:
    commitments: tuple[Commitment, ...]
    stated: int | None

    @property
    def total(self) -> float:
        return round(sum(c.hours_per_week for c in self.commitments), 1)

    @property
    def left(self) -> float | None:
        return None if self.stated is None else round(self.stated - self.total, 1)

    @property
    def over(self) -> bool:
        return self.stated is not None and self.total > self.stated + 1e-9

    def would_exceed(self, hours_per_week: float) -> bool:
        return self.stated is not None and self.total + hours_per_week > self.stated + 1e-9


def commitments(
    session: Session, *, person_ids: Iterable[int], today: date, excluding_set_id: int | None = None
) -> dict[int, list[Commitment]]:
    """Each person's active projects, by person id."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    assigned = (
        select(ChoiceAssignment.person_id, Placement.id, Placement.title, ProjectRevision)
        .join(ChoiceOption, ChoiceOption.id == ChoiceAssignment.option_id)
        .join(Placement, Placement.id == ChoiceOption.placement_id)
        .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
        .where(ChoiceAssignment.person_id.in_(ids),
               ChoiceAssignment.status == AssignmentStatus.ASSIGNED.value,
               ProjectRevision.window_end >= today)
    )
    if excluding_set_id is not None:
        assigned = assigned.where(ChoiceAssignment.choice_set_id != excluding_set_id)
    anchors = select(ChoiceSet.placement_id)
    started = (
        select(Participation.person_id, Placement.id, Placement.title, ProjectRevision)
        .join(Placement, Placement.id == Participation.placement_id)
        .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
        .where(Participation.person_id.in_(ids), Participation.started_at.is_not(None),
               ProjectRevision.window_end >= today, Placement.id.not_in(anchors))
    )
    found: dict[int, dict[int, Commitment]] = {pid: {} for pid in ids}
    for statement in (assigned, started):
        for person_id, placement_id, title, revision in session.execute(statement):
            found[person_id][placement_id] = Commitment(
                placement_id=placement_id, title=title,
                hours_per_week=weekly_hours(
                    revision.estimated_hours, revision.window_start, revision.window_end
                ),
                ends=revision.window_end,
            )
    return {pid: sorted(items.values(), key=lambda c: c.ends) for pid, items in found.items()}


def workloads(
    session: Session, *, person_ids: Iterable[int], today: date, excluding_set_id: int | None = None
) -> dict[int, Workload]:
    ids = sorted(set(person_ids))
    stated: dict[int, int | None] = {
        person_id: hours for person_id, hours in session.execute(
            select(StudentProfile.person_id, StudentProfile.hours_per_week)
            .where(StudentProfile.person_id.in_(ids))
        )
    } if ids else {}
    found = commitments(session, person_ids=ids, today=today, excluding_set_id=excluding_set_id)
    return {pid: Workload(tuple(found.get(pid, [])), stated.get(pid)) for pid in ids}


def workload(session: Session, *, person_id: int, today: date) -> Workload:
    return workloads(session, person_ids=[person_id], today=today)[person_id]

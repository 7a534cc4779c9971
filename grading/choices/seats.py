"""How many students each option of a choice set can still take.

A project's capacity counts students, or teams where it uses teams, and holds per
institution: places taken in every choice set of the institution's courses count against it.
The instructor may set a lower limit for one placement (``ChoiceOption.seats``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from catalog.projects.models import ProjectRevision
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceOption, ChoiceSet
from grading.people.models import Course
from grading.placements.models import Placement

# lti_tool's table, read by name: grading never imports lti_tool's code.
_platform = table("lti_platform", column("id"), column("institution_id"))


def institution_scope(session: Session, course: Course) -> tuple[int | None, int]:
    """The course's institution (None: its LMS is not linked to one) and its platform."""
    institution_id = session.scalar(
        select(_platform.c.institution_id).where(_platform.c.id == course.platform_id)
    )
    return (int(institution_id) if institution_id is not None else None), course.platform_id


def used_elsewhere(
    session: Session, *, project_ids: list[int], institution_id: int | None, platform_id: int,
    excluding_set_id: int,
) -> dict[int, int]:
    """Places (teams, where a placement uses teams) each project has given in other sets."""
    scope = (_platform.c.institution_id == institution_id if institution_id is not None
             else Course.platform_id == platform_id)
    rows = session.execute(
        select(ProjectRevision.project_id, Placement.team_size, func.count(ChoiceAssignment.id))
        .join(ChoiceOption, ChoiceOption.id == ChoiceAssignment.option_id)
        .join(Placement, Placement.id == ChoiceOption.placement_id)
        .join(ProjectRevision, ProjectRevision.id == Placement.project_revision_id)
        .join(Course, Course.id == Placement.course_id)
        .join(_platform, _platform.c.id == Course.platform_id)
        .where(ChoiceAssignment.status == AssignmentStatus.ASSIGNED.value,
               ChoiceAssignment.choice_set_id != excluding_set_id,
               ProjectRevision.project_id.in_(project_ids), scope)
        .group_by(ProjectRevision.project_id, ChoiceOption.id, Placement.team_size)
    ).all()
    used: dict[int, int] = {}
    for project_id, team_size, count in rows:
        used[project_id] = used.get(project_id, 0) + math.ceil(count / max(1, team_size))
    return used


def student_seats(
    session: Session, *, choice_set: ChoiceSet, revisions: Mapping[int, ProjectRevision],
    held_here: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """Students each option can still take (by option id), minus ``held_here`` in this set."""
    course = choice_set.placement.course
    institution_id, platform_id = institution_scope(session, course)
    used = used_elsewhere(
        session, project_ids=sorted({r.project_id for r in revisions.values()}),
        institution_id=institution_id, platform_id=platform_id, excluding_set_id=choice_set.id,
    )
    seats: dict[int, int] = {}
    for option in choice_set.options:
        revision = revisions[option.id]
        places = revision.capacity - used.get(revision.project_id, 0)
        if option.seats is not None:
            places = min(places, option.seats)
        size = max(1, option.placement.team_size)
        seats[option.id] = max(0, max(0, places) * size - (held_here or {}).get(option.id, 0))
    return seats


def held(session: Session, *, choice_set_id: int, statuses: tuple[str, ...]) -> dict[int, int]:
    """Students per option in this set, counting assignments in these statuses."""
    return {
        int(option_id): int(n) for option_id, n in session.execute(
            select(ChoiceAssignment.option_id, func.count())
            .where(ChoiceAssignment.choice_set_id == choice_set_id,
                   ChoiceAssignment.status.in_(statuses), ChoiceAssignment.option_id.is_not(None))
            .group_by(ChoiceAssignment.option_id)
        ) if option_id is not None
    }

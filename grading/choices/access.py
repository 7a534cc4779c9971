"""Who may open an option of a choice set: its instructors, and the students assigned to it.
A single project that takes applications is a set whose one option is the activity itself:
its work opens to the students given a place, the others see their application.

An option is a placement of the course like any other, so without this check every student
of the course could open (and submit to) every project of the set.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.web import NotAllowed
from grading.choices.models import AssignmentStatus, ChoiceAssignment, ChoiceOption, ChoiceSet


class ChoiceActivity(NotAllowed):
    """The activity of a choice set: its work happens in the project each student is assigned."""


def check_open_to(session: Session, *, placement_id: int, person_id: int) -> None:
    """Raise NotAllowed when the placement is an option the student was not assigned, or the
    activity of a choice set (whose own page is the choice page)."""
    set_id = session.scalar(select(ChoiceSet.id).where(ChoiceSet.placement_id == placement_id))
    if set_id is not None and _solo_option(session, set_id, placement_id) is not None:
        if _assigned(session, placement_id=placement_id, person_id=person_id):
            return
        raise ChoiceActivity(
            "This project selects its students from applications: the work opens once you have a place.",
            title="Apply first",
            hint="Open the activity from your course to apply or see where your application stands.",
        )
    if set_id is not None:
        raise ChoiceActivity(
            "This activity is a choice of projects: your work happens in the project you are given.",
            title="Choose your project first",
            hint="Open the activity from your course to rank the projects or see yours.",
        )
    option_id = session.scalar(select(ChoiceOption.id).where(ChoiceOption.placement_id == placement_id))
    if option_id is None:
        return
    if not _assigned(session, placement_id=placement_id, person_id=person_id):
        raise NotAllowed(
            "This project is one of a choice of projects, and it is not the one you were assigned.",
            title="Not your project",
            hint="Open the activity from your course to see which project is yours.",
        )


def _solo_option(session: Session, set_id: int, placement_id: int) -> int | None:
    """The option of a single project taking applications (the activity is its own option)."""
    return session.scalar(select(ChoiceOption.id).where(
        ChoiceOption.choice_set_id == set_id, ChoiceOption.placement_id == placement_id))


def _assigned(session: Session, *, placement_id: int, person_id: int) -> bool:
    return session.scalar(
        select(ChoiceAssignment.id)
        .join(ChoiceOption, ChoiceOption.id == ChoiceAssignment.option_id)
        .where(ChoiceOption.placement_id == placement_id, ChoiceAssignment.person_id == person_id,
               ChoiceAssignment.status == AssignmentStatus.ASSIGNED.value)
    ) is not None

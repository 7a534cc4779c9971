"""Who may open an option of a choice set: its instructors, and the students assigned to it.

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
    if session.scalar(select(ChoiceSet.id).where(ChoiceSet.placement_id == placement_id)) is not None:
        raise ChoiceActivity(
            "This activity is a choice of projects: your work happens in the project you are given.",
            title="Choose your project first",
            hint="Open the activity from your course to rank the projects or see yours.",
        )
    option_id = session.scalar(select(ChoiceOption.id).where(ChoiceOption.placement_id == placement_id))
    if option_id is None:
        return
    assigned = session.scalar(select(ChoiceAssignment.id).where(
        ChoiceAssignment.option_id == option_id, ChoiceAssignment.person_id == person_id,
        ChoiceAssignment.status == AssignmentStatus.ASSIGNED.value,
    ))
    if assigned is None:
        raise NotAllowed(
            "This project is one of a choice of projects, and it is not the one you were assigned.",
            title="Not your project",
            hint="Open the activity from your course to see which project is yours.",
        )

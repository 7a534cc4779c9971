"""Who may act on credit: the placement's instructors and learners from their launch, the
employer on work submitted to its projects, and the institution's credit office."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.credit_office.service import Policy, policy_for
from config.web import LaunchIdentity, db, require_instructor
from grading.credit.approval import Who
from grading.people.models import Person
from grading.placements.access import placement_in_course
from grading.placements.models import Placement


def instructor_credit(placement_id: int) -> tuple[LaunchIdentity, Placement, Policy]:
    """The placement of the instructor's own course, and the institution's policy."""
    identity = require_instructor()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=placement_id)
    return identity, placement, policy_for(session, institution_id=identity.institution_id)


def instructor_who(session: Session, identity: LaunchIdentity) -> Who:
    person = session.get(Person, identity.person_id)
    label = person.display_name() if person is not None else f"Instructor {identity.person_id}"
    return Who(kind="instructor", label=f"{label} (instructor)", id=identity.person_id)

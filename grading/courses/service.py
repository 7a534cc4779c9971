"""Reads for the course pages a launch lands on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from config.database import first_row
from grading.people.models import UNNAMED, Course, Person, display_name, display_title


@dataclass(frozen=True)
class LearnerLanding:
    course_title: str
    learner_name: str
    """"" when the LMS shared no name."""


def learner_landing(
    connection: Connection, *, course_id: int | None, person_id: int
) -> LearnerLanding | None:
    """What a learner sees at a link without a project: one query on the driver's cursor
    (every such launch lands here), on an autocommit connection. None: no such course."""
    found = first_row(connection, _LEARNER_LANDING, {"course_id": course_id, "person_id": person_id})
    if found is None:
        return None
    title, label, context_id, *names = found
    return landing_of((title, label, context_id), tuple(names))


def landing_of(
    course_names: tuple[str | None, str | None, str], person_names: tuple[str | None, ...]
) -> LearnerLanding:
    """The landing from the course's (title, label, context_id) and the person's (name,
    given_name, family_name), as stored."""
    name = display_name(*person_names)
    return LearnerLanding(
        course_title=display_title(*course_names),
        learner_name="" if name == UNNAMED else name,
    )


# Built once: six columns, the person joined by id (absent if the row is gone).
_LEARNER_LANDING = (
    select(
        Course.title, Course.label, Course.context_id,
        Person.name, Person.given_name, Person.family_name,
    )
    .outerjoin(Person, Person.id == bindparam("person_id"))
    .where(Course.id == bindparam("course_id"))
)

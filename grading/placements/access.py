"""Which placement a launch may open: the check every placement page starts with.

A launch carries one course; a placement of another course looks like a missing one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.web import LaunchIdentity, db, require_instructor, require_launch
from grading import launches
from grading.choices.access import check_open_to
from grading.people.access import person
from grading.people.models import Person
from grading.placements.models import Placement
from grading.placements.service import get_in_course


def placement_in_course(session: Session, *, identity: LaunchIdentity, placement_id: int) -> Placement:
    """The placement, only if it belongs to the course of this launch."""
    return get_in_course(session, placement_id=placement_id, course_id=identity.course_id)


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


def launched_into(placement_id: int) -> tuple[LaunchIdentity, Placement, Person]:
    """The launch, the placement it may open, and the person it speaks for (a page's first line)."""
    identity = require_launch()
    session = db()
    placement = placement_in_course(session, identity=identity, placement_id=placement_id)
    if not identity.is_instructor:
        check_open_to(session, placement_id=placement.id, person_id=identity.person_id)
    return identity, placement, person(session, identity)


def instructor_placement(placement_id: int) -> Placement:
    """The placement, for an instructor launched from its own course."""
    identity = require_instructor()
    return placement_in_course(db(), identity=identity, placement_id=placement_id)

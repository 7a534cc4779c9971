"""The demo's credit-bearing placement: one project already placed in the demo course, for
credit, so the credit walk (verify hours, recommend, approve) can be tried at once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.projects.models import ProjectOffer, ProjectRevision
from grading.credit.models import PlacementCredit
from grading.people.models import Course
from grading.placements.models import Placement

DEMO_CREDITS = Decimal("3")


def first_listed_revision(session: Session, *, institution_id: int) -> ProjectRevision | None:
    """The institution's first listed project (the demo places it for credit)."""
    return session.scalar(
        select(ProjectRevision)
        .join(ProjectOffer, ProjectOffer.listed_revision_id == ProjectRevision.id)
        .where(ProjectOffer.institution_id == institution_id, ProjectRevision.team_size == 1)
        .order_by(ProjectOffer.id).limit(1)
    )


def seed_credit_placement(
    session: Session, *, platform_id: int, deployment_id: str, context_id: str, course_title: str,
    resource_link_id: str, line_item_url: str, revision: ProjectRevision,
) -> Placement:
    """The course (as its first launch would record it), the placement at the link, for credit."""
    course = session.scalar(select(Course).where(Course.platform_id == platform_id,
                                                 Course.context_id == context_id))
    if course is None:
        course = Course(platform_id=platform_id, deployment_id=deployment_id,
                        context_id=context_id, title=course_title)
        session.add(course)
        session.flush()
    placement = Placement(course_id=course.id, resource_link_id=resource_link_id,
                          project_revision_id=revision.id, title=f"{revision.title} (for credit)"[:300],
                          score_maximum=100.0, line_item_url=line_item_url)
    session.add(placement)
    session.flush()
    session.add(PlacementCredit(placement_id=placement.id, credit_bearing=True, credits=DEMO_CREDITS))
    session.flush()
    return placement

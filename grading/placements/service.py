"""Placements: create them from the deep linking picker, find them again at a launch, and set
them up for a copied course.

What a launch brings is reduced by lti_tool to a ``LinkRef`` of plain strings; nothing here
knows the LTI wire format. Course copy (LTI-NOTES pitfall 24): a copied link arrives from a new
context with the old placement's key in its custom parameters, or with the old link ids in
``$ResourceLink.id.history``. The old placement must belong to another course of the same
platform and deployment; the new course gets its own placement with the same project and
settings, and never sees the old course's people or work.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from config.web import NotAllowed, NotFound, UserFacingError
from grading.people.models import Course
from grading.placements.models import DueSource, Placement, ReleaseMode

LINE_ITEM_TAG = "microbridge"


@dataclass(frozen=True)
class PlacementSettings:
    """What the instructor chooses for each placed project (the title is the line item's label)."""

    title: str = ""
    score_maximum: float = 100.0
    due_at: datetime | None = None
    team_size: int = 1
    release_mode: ReleaseMode = ReleaseMode.INSTRUCTOR


@dataclass(frozen=True)
class LinkRef:
    """A launch's resource link, as grading needs it (lti_tool fills it from the claims)."""

    course_id: int
    resource_link_id: str | None
    # The placement at resource_link_id, already read by the launch's own course upsert (None:
    # there is none), so the common launch costs no query here.
    placement_at_link: int | None
    placement_key: str | None = None
    link_history: tuple[str, ...] = ()
    context_history: tuple[str, ...] = ()


class LinkState(enum.StrEnum):
    """Where a launched resource link stands with its placement."""

    FOUND = "found"  # the link already has its placement
    BOUND = "bound"  # first launch of a link the deep linking response created
    COPIED = "copied"  # a copied link, set up for this course now (instructor launch)
    UNPLACED = "unplaced"  # a link without a project (made by hand, or course navigation)


@dataclass
class Resolution:
    outcome: LinkState
    placement: Placement | None = None
    source: Placement | None = None
    notes: list[str] = field(default_factory=list)


class NotSetUpYet(UserFacingError):
    """A learner opened a copied link before any instructor did."""

    status = 409


def create(
    session: Session,
    *,
    course_id: int,
    project_revision_id: int,
    settings: PlacementSettings,
    created_by_person_id: int | None,
    resource_link_id: str | None = None,
) -> Placement:
    """Place a catalog revision in a course (at a link, or waiting for its first launch)."""
    placement = Placement(
        course_id=course_id,
        resource_link_id=resource_link_id,
        project_revision_id=project_revision_id,
        title=(settings.title.strip() or "Employer project")[:300],
        created_by_person_id=created_by_person_id,
    )
    apply_settings(placement, settings)
    session.add(placement)
    session.flush()
    return placement


def apply_settings(placement: Placement, settings: PlacementSettings) -> None:
    if settings.title.strip():
        placement.title = settings.title.strip()[:300]
    placement.score_maximum = float(settings.score_maximum)
    if settings.due_at != placement.due_at:
        placement.due_at = settings.due_at
        placement.due_at_source = DueSource.TOOL.value
    placement.team_size = int(settings.team_size)
    placement.release_mode = ReleaseMode(settings.release_mode).value


def settings_of(placement: Placement) -> PlacementSettings:
    return PlacementSettings(
        title=placement.title,
        score_maximum=placement.score_maximum,
        due_at=placement.due_at,
        team_size=placement.team_size,
        release_mode=ReleaseMode(placement.release_mode),
    )


def get_in_course(session: Session, *, placement_id: int, course_id: int | None) -> Placement:
    """The placement, only from its own course: any other course sees nothing at all."""
    placement = session.get(Placement, placement_id)
    if placement is None or course_id is None or placement.course_id != course_id:
        raise NotFound(
            "There is no such project in this course.",
            title="Project not found",
            hint="Open Microbridge from the course the project was placed in.",
        )
    return placement


def list_for_course(session: Session, *, course_id: int) -> Sequence[Placement]:
    return session.scalars(
        select(Placement).where(Placement.course_id == course_id).order_by(Placement.id)
    ).all()


def at_link(session: Session, *, course_id: int, resource_link_id: str) -> Placement | None:
    return session.scalar(
        select(Placement).where(
            Placement.course_id == course_id, Placement.resource_link_id == resource_link_id
        )
    )


def by_key(session: Session, key: str) -> Placement | None:
    return session.scalar(
        select(Placement).options(joinedload(Placement.course)).where(Placement.key == key)
    )


def resolve(session: Session, *, link: LinkRef, instructor: bool, person_id: int) -> Resolution:
    """Find the placement a resource link launch is about; set up copies for instructors.

    Raises NotAllowed when the link names a placement of another platform or deployment, and
    NotSetUpYet when a learner opens a copied link no instructor has opened yet.
    """
    if link.resource_link_id and link.placement_at_link is not None:
        found = session.get(Placement, link.placement_at_link)
        if found is not None:
            return Resolution(LinkState.FOUND, found)
    if not (link.placement_key or link.link_history):
        return Resolution(LinkState.UNPLACED)  # the common case costs one query
    course = session.get(Course, link.course_id)
    if course is None:
        raise NotFound("This course is no longer known to Microbridge.", title="Course not found")
    source = _named_placement(session, course, link) or _from_history(session, course, link)
    if source is None:
        return Resolution(LinkState.UNPLACED)
    if source.course_id == course.id and source.resource_link_id is None and link.resource_link_id:
        source.resource_link_id = link.resource_link_id
        session.flush()
        return Resolution(LinkState.BOUND, source)
    if not link.resource_link_id:
        return Resolution(LinkState.UNPLACED)
    if not instructor:
        raise NotSetUpYet(
            "This project was copied from another course, and your instructor has not set it "
            "up for this course yet.",
            title="Not set up yet",
            hint="Ask your instructor to open this activity once in the LMS; then try again.",
        )
    copy = copy_to_link(
        session, source=source, course_id=course.id, resource_link_id=link.resource_link_id,
        created_by_person_id=person_id,
    )
    return Resolution(LinkState.COPIED, copy, source=source)


def _named_placement(session: Session, course: Course, link: LinkRef) -> Placement | None:
    if not link.placement_key:
        return None
    named = by_key(session, link.placement_key)
    if named is None:
        return None
    _check_same_installation(course, named)
    return named


def _check_same_installation(course: Course, other: Placement) -> None:
    origin = other.course
    if origin.platform_id != course.platform_id or origin.deployment_id != course.deployment_id:
        raise NotAllowed(
            "This link names a Microbridge project placed through another LMS registration "
            "or deployment, so it cannot be opened here.",
            title="Project from elsewhere",
            hint="Add the project again from this course with the LMS's “Add activity” "
            "(Microbridge) dialog.",
        )


def _from_history(session: Session, course: Course, link: LinkRef) -> Placement | None:
    """The placement of the link this one was copied from ($ResourceLink.id.history)."""
    history = [rid for rid in link.link_history if rid and rid != link.resource_link_id]
    if not history:
        return None
    candidates = session.scalars(
        select(Placement)
        .join(Course, Course.id == Placement.course_id)
        .options(joinedload(Placement.course))
        .where(
            Placement.resource_link_id.in_(history),
            Course.platform_id == course.platform_id,
            Course.deployment_id == course.deployment_id,
            Course.id != course.id,
        )
    ).all()
    if not candidates:
        return None
    # The most recent ancestor first (history lists the newest previous id first), and a
    # course named in $Context.id.history over any other.
    rank = {rid: i for i, rid in enumerate(history)}
    contexts = set(link.context_history)
    candidates = sorted(
        candidates,
        key=lambda p: (p.course.context_id not in contexts, rank.get(p.resource_link_id or "", 99)),
    )
    return candidates[0]


def copy_to_link(
    session: Session,
    *,
    source: Placement,
    course_id: int,
    resource_link_id: str,
    created_by_person_id: int | None,
) -> Placement:
    """A new placement for this course and link: same project and settings, no people."""
    copy = Placement(
        course_id=course_id,
        resource_link_id=resource_link_id,
        project_revision_id=source.project_revision_id,
        title=source.title,
        score_maximum=source.score_maximum,
        due_at=source.due_at,
        due_at_source=source.due_at_source,
        team_size=source.team_size,
        release_mode=source.release_mode,
        copied_from_id=source.id,
        created_by_person_id=created_by_person_id,
    )
    try:
        with session.begin_nested():
            session.add(copy)
    except IntegrityError:
        # Two instructors opened the copied link at once: the other one set it up.
        found = at_link(session, course_id=course_id, resource_link_id=resource_link_id)
        if found is None:
            raise
        return found
    return copy


def attach_to_link(
    session: Session,
    *,
    course_id: int,
    resource_link_id: str,
    project_revision_id: int,
    settings: PlacementSettings,
    created_by_person_id: int | None,
) -> Placement:
    """Give a link made by hand its project (the instructor chose one at its first launch)."""
    existing = at_link(session, course_id=course_id, resource_link_id=resource_link_id)
    if existing is not None:
        raise UserFacingError(
            f"This link already has its project: {existing.title}.",
            title="Already set up",
            hint="Open the link again from the LMS to see it.",
            status=409,
        )
    return create(
        session, course_id=course_id, project_revision_id=project_revision_id, settings=settings,
        created_by_person_id=created_by_person_id,
        resource_link_id=resource_link_id,
    )


def note_lms_due_date(placement: Placement, due_at: datetime | None) -> bool:
    """Prefer the due date the LMS reports at a launch over the stored one (pitfall 25)."""
    if due_at is None or due_at == placement.due_at:
        return False
    placement.due_at = due_at
    placement.due_at_source = DueSource.LMS.value
    return True


def set_line_item(placement: Placement, url: str) -> None:
    placement.line_item_url = url[:1000]
    placement.line_item_error = ""


def record_line_item_error(placement: Placement, message: str) -> None:
    placement.line_item_error = message[:2000]

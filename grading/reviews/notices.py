"""Notices about a course's reviews: to the instructor (a grade awaits approval, an employer's
review is overdue) and to the student (feedback and grade released).

LMS people's mail never carries their work or a link that opens it outside the LMS: it says
what happened and to open Microbridge from the course, with a link to the LMS itself. Their
address is the one the launch gave, else the one the roster (NRPS) gave; without either
nothing is sent (their pages inside the LMS say it all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import bindparam, column, select, table
from sqlalchemy.orm import Session

from config import notices
from grading.people.models import Course, Person
from grading.placements.models import Placement, RosterMember

# The platform registry sits above grading (lti_tool); only its institution column is read.
_platform = table("lti_platform", column("id"), column("institution_id"))


def institution_of(session: Session, placement: Placement) -> int | None:
    course = session.get(Course, placement.course_id)
    if course is None:
        return None
    found: int | None = session.scalar(
        select(_platform.c.institution_id).where(_platform.c.id == course.platform_id)
    )
    return found


def lms_link(session: Session, placement: Placement) -> str:
    """The LMS's own address (from its service URLs), for "open Microbridge from your course"."""
    course = session.get(Course, placement.course_id)
    for url in (placement.line_item_url, course.lineitems_url if course else "",
                course.memberships_url if course else ""):
        parts = urlsplit(url or "")
        if parts.scheme in {"https", "http"} and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/"
    return ""


def address_of(session: Session, *, placement: Placement, person: Person) -> str:
    """The address the launch gave, else the roster's (NRPS), else none."""
    if person.email:
        return person.email
    roster: str | None = session.scalar(
        select(RosterMember.email).where(RosterMember.placement_id == placement.id,
                                         RosterMember.user_sub == person.sub)
    )
    return roster or ""


@dataclass(frozen=True)
class Addressee:
    """A member as releasing needs them: who, in which LMS, and where mail reaches them."""

    person_id: int
    platform_id: int
    sub: str
    address: str
    """``address_of``'s answer: the launch's address, else the roster's, else none."""


# Built once (it runs for every grade released), of the tables' columns: plain SQL, without
# the ORM's work per statement (no entity is wanted).
_P = Person.__table__
_R = RosterMember.__table__
_ADDRESSEES = (
    select(_P.c.id, _P.c.platform_id, _P.c.sub, _P.c.email, _R.c.email)
    .outerjoin(_R, (_R.c.placement_id == bindparam("placement_id"))
               & (_R.c.user_sub == _P.c.sub))
    .where(_P.c.id.in_(bindparam("person_ids", expanding=True)))
    .order_by(_P.c.id)
)


def addressees(
    session: Session, *, placement: Placement, person_ids: Sequence[int]
) -> list[Addressee]:
    """These people with ``address_of``'s address each, in one query."""
    session.flush()  # what an ORM query would do first: the read below is plain SQL
    rows = session.execute(_ADDRESSEES, {"placement_id": placement.id,
                                         "person_ids": list(person_ids)})
    return [Addressee(person_id, platform_id, sub, email or roster or "")
            for person_id, platform_id, sub, email, roster in rows]


def way_in(session: Session, placement: Placement, then: str) -> str:
    course = session.get(Course, placement.course_id)
    where = f"“{course.title}”" if course and course.title else "your course"
    lms = lms_link(session, placement)
    text = f"Open Microbridge from {where} in your LMS, then {then}."
    return text + (f"\nYour LMS: {lms}" if lms else "")


def _instructor(session: Session, placement: Placement) -> Person | None:
    person_id = placement.created_by_person_id
    return session.get(Person, person_id) if person_id else None


def grade_awaits_approval(session: Session, *, placement: Placement, submission_id: int,
                          review_id: int) -> bool:
    """Tell the instructor who placed the project that an employer's final review waits."""
    instructor = _instructor(session, placement)
    if instructor is None or not instructor.email:
        return False
    if not notices.once(session, f"grade-to-approve:{submission_id}:{review_id}"):
        return False
    return notices.notify(
        session, to=instructor.email, kind="grade_to_approve",
        institution_id=institution_of(session, placement),
        subject=f"An employer's review awaits your approval in “{placement.title}”",
        body=(
            f"The employer has reviewed a submission to “{placement.title}”. The grade goes to "
            "the gradebook once you approve it (you may adjust the score, with a reason).\n\n"
            + way_in(session, placement, f"“{placement.title}” → Reviews")
        ),
        reason=f"you placed “{placement.title}” in your course and approve its grades.",
    ) is not None


def review_overdue(session: Session, *, placement: Placement) -> bool:
    instructor = _instructor(session, placement)
    if instructor is None or not instructor.email:
        return False
    return notices.notify(
        session, to=instructor.email, kind="review_overdue",
        institution_id=institution_of(session, placement),
        subject=f"An employer review is overdue in “{placement.title}”",
        body=(
            "The employer has not reviewed a submission within the review period. You can "
            "grade it yourself.\n\n"
            + way_in(session, placement, f"“{placement.title}” → Reviews")
        ),
        reason=f"you placed “{placement.title}” in your course.",
    ) is not None


def feedback_released(session: Session, *, placement: Placement, release_id: int,
                      members: Sequence[Addressee]) -> int:
    """Tell each member their feedback and grade are out (once per release)."""
    # Held, so the lookups of the course below find it in the session (it keeps objects only
    # while they are referenced): one query for it, not one per lookup.
    course = session.get(Course, placement.course_id) if any(m.address for m in members) else None
    sent = 0
    for member in members:
        address = member.address
        if not address or not notices.once(
            session, f"feedback-released:{release_id}:{member.person_id}"
        ):
            continue
        sent += notices.notify(
            session, to=address, kind="feedback_released",
            institution_id=institution_of(session, placement),
            subject=f"Your feedback for “{placement.title}” is ready",
            body=(
                f"Your feedback and grade for “{placement.title}” have been released. The grade "
                "is in your course's gradebook; the full feedback is in Microbridge.\n\n"
                + way_in(session, placement, f"“{placement.title}”")
            ),
            reason=f"you submitted work for “{placement.title}”.",
        ) is not None
    del course
    return sent

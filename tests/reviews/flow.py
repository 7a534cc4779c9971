"""Steps of the review journey, shared by the review tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from catalog.projects.models import RubricCriterion
from grading.submissions.models import Submission
from tests.work.harness import LaunchedUser, Reviewer, School


def submitted(
    course: School, *, consent: bool = True, text: str = "Our findings."
) -> tuple[LaunchedUser, Submission]:
    student = course.student()
    course.submit(student, text=text)
    if consent:
        student.post(f"/work/{course.placement_id}/consent",
                     data={"records": ["work", "feedback"], "signature": student.name})
    course.db.expire_all()
    submission = course.db.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission is not None
    return student, submission


def levels(course: School, points: tuple[int, ...]) -> dict[str, Any]:
    """Form fields choosing, per criterion in order, the level worth these points."""
    criteria = course.db.scalars(
        select(RubricCriterion).where(RubricCriterion.revision_id == course.placed.employer.revision.id)
        .order_by(RubricCriterion.position)
    ).all()
    fields: dict[str, Any] = {}
    for criterion, wanted in zip(criteria, points, strict=True):
        level = next(lv for lv in criterion.levels if lv.points == wanted)
        fields[f"criterion-{criterion.id}"] = str(level.id)
    return fields


def review(reviewer: Reviewer, submission: Submission, course: School, points: tuple[int, ...], *,
           final: bool = True, feedback: str = "Strong analysis; tighten the summary.",
           **extra: Any) -> int:
    data = {**levels(course, points), "feedback": feedback, "action": "final" if final else "save", **extra}
    return reviewer.post(f"/employer/reviews/{submission.id}", data=data).status_code

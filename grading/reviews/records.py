"""Reading reviews and grade releases: the small lookups the review service, release and the
learner's page share (kept apart so that release need not import the review service)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grading.reviews.models import GradeRelease, Review
from grading.submissions.models import Submission


def review_due_at(submission: Submission, *, review_days: int) -> datetime:
    return submission.submitted_at + timedelta(days=review_days)


def review_of(session: Session, *, submission_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.submission_id == submission_id))


def releases(session: Session, *, submission_id: int) -> Sequence[GradeRelease]:
    """Every grade released for a submission, oldest first: the grade history."""
    return session.scalars(
        select(GradeRelease)
        .where(GradeRelease.submission_id == submission_id)
        .order_by(GradeRelease.id)
    ).all()


def latest_release(session: Session, *, submission_id: int) -> GradeRelease | None:
    return session.scalar(
        select(GradeRelease)
        .where(GradeRelease.submission_id == submission_id)
        .order_by(GradeRelease.id.desc())
        .limit(1)
    )


def reviews_of(session: Session, *, submission_ids: Sequence[int]) -> dict[int, Review]:
    """The review of each submission that has one, in one query."""
    if not submission_ids:
        return {}
    found = session.scalars(select(Review).where(Review.submission_id.in_(submission_ids)))
    return {review.submission_id: review for review in found}


def latest_releases(session: Session, *, submission_ids: Sequence[int]) -> dict[int, GradeRelease]:
    """The newest release of each submission that has one, in one query."""
    if not submission_ids:
        return {}
    found = session.scalars(
        select(GradeRelease)
        .where(GradeRelease.submission_id.in_(submission_ids))
        .order_by(GradeRelease.id)
    )
    return {grade.submission_id: grade for grade in found}

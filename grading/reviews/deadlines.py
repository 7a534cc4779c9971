"""Review deadlines: the employer's daily digest reminds them (day 3, day 6, due), then the
instructor is told the review is overdue.

Reviews are due ``review_days`` (default 7) after the submission. A reminder row per
(submission, kind) makes the overdue notice go out once, however often the periodic task runs;
the digest keeps its own once-a-day record (grading/reviews/digest.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grading.placements.catalog_project import employer_id_of
from grading.placements.models import Placement
from grading.reviews import digest, notices
from grading.reviews.models import ReviewReminder
from grading.reviews.records import latest_releases, review_due_at, reviews_of
from grading.submissions.service import latest_per_owner


def _sent(session: Session, submission_id: int, kind: str) -> bool:
    return session.scalar(
        select(ReviewReminder.id).where(
            ReviewReminder.submission_id == submission_id, ReviewReminder.kind == kind
        )
    ) is not None


def _mark(session: Session, submission_id: int, kind: str, recipients: int) -> bool:
    try:
        with session.begin_nested():
            session.add(ReviewReminder(submission_id=submission_id, kind=kind, recipients=recipients))
    except IntegrityError:  # another run got there first
        return False
    return True


def send_reminders(session: Session, *, now: datetime, review_days: int) -> int:
    """Queue the digests and overdue notices that are due; returns how many were queued."""
    queued = digest.send_digests(session, now=now, review_days=review_days)
    for placement in session.scalars(select(Placement)):
        if employer_id_of(session, placement) is None:
            continue
        latest = latest_per_owner(session, placement_id=placement.id)
        reviews = reviews_of(session, submission_ids=[s.id for s in latest])
        released = latest_releases(session, submission_ids=[s.id for s in latest])
        for submission in latest:
            review = reviews.get(submission.id)
            if (review is not None and review.is_final) or submission.id in released:
                continue
            if now >= review_due_at(submission, review_days=review_days) \
                    and not _sent(session, submission.id, "overdue"):
                queued += _tell_instructor(session, placement=placement, submission_id=submission.id)
    return queued


def _tell_instructor(session: Session, *, placement: Placement, submission_id: int) -> int:
    # The instructor's review page flags it in any case; email reaches them when the LMS
    # shared an address (and they did not turn these off).
    if not _mark(session, submission_id, "overdue", 1):
        return 0
    notices.review_overdue(session, placement=placement)
    return 1

"""Review deadlines: reminders to the employer on day 3 and day 6, then the instructor is told.

Reviews are due ``review_days`` (default 7) after the submission. A reminder row per
(submission, kind) makes each reminder go out once, however often the periodic task runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from config.mail import send_email
from grading.people.models import Person
from grading.placements.catalog_project import employer_id_of
from grading.placements.models import Placement
from grading.reviews.models import ReviewReminder
from grading.reviews.records import review_due_at
from grading.reviews.service import EmployerSubmission, employer_view
from grading.submissions.service import latest_per_owner

EMPLOYER_REMINDER_DAYS = {"day3": 3, "day6": 6}


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


def send_reminders(session: Session, *, now: datetime, review_days: int, base_url: str) -> int:
    """Queue the reminders and overdue notices that are due; returns how many were queued."""
    queued = 0
    for placement in session.scalars(select(Placement)):
        employer_id = employer_id_of(session, placement)
        if employer_id is None:
            continue
        for submission in latest_per_owner(session, placement_id=placement.id):
            item = employer_view(session, submission=submission, placement=placement,
                                 review_days=review_days)
            if item.review is not None and item.review.is_final:
                continue
            age = now - submission.submitted_at
            for kind, days in EMPLOYER_REMINDER_DAYS.items():
                if age >= timedelta(days=days) and days < review_days and item.work_visible \
                        and not _sent(session, submission.id, kind):
                    queued += _remind_employer(session, item=item, employer_id=employer_id,
                                               kind=kind, base_url=base_url)
            if now >= review_due_at(submission, review_days=review_days) \
                    and not _sent(session, submission.id, "overdue"):
                queued += _tell_instructor(session, placement=placement, submission_id=submission.id,
                                           base_url=base_url)
    return queued


def _remind_employer(session: Session, *, item: EmployerSubmission, employer_id: int, kind: str,
                     base_url: str) -> int:
    members = session.scalars(
        select(EmployerMember).where(EmployerMember.employer_id == employer_id)
    ).all()
    if not _mark(session, item.submission.id, kind, len(members)):
        return 0
    due = item.due_at.strftime("%d %B %Y")
    for member in members:
        send_email(
            session, to=member.email,
            subject=f"Reminder: a student submission awaits your review (due {due})",
            body=(
                f"Hello {member.display_name()},\n\n"
                # No student is named: an email is not a logged disclosure, the portal page is.
                f"A student submitted work for “{item.placement.title}”. Your review is due on "
                f"{due}.\n\nReview it here:\n{base_url}/employer/reviews/{item.submission.id}\n"
            ),
        )
    return 1


def _tell_instructor(session: Session, *, placement: Placement, submission_id: int,
                     base_url: str) -> int:
    instructor_id = placement.created_by_person_id
    instructor = session.get(Person, instructor_id) if instructor_id else None
    recipients = 1 if instructor is not None and instructor.email else 0
    if not _mark(session, submission_id, "overdue", recipients):
        return 0
    # The instructor's review page flags it in any case; email reaches them when the LMS
    # shared an address.
    if recipients and instructor is not None:
        send_email(
            session, to=instructor.email,
            subject=f"An employer review is overdue in “{placement.title}”",
            body=(
                "The employer has not reviewed a submission within the review period. You can "
                "grade it yourself from the project's review page in your course "
                f"(Microbridge → {placement.title} → Reviews).\n"
            ),
        )
    return 1

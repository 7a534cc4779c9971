"""One attempt's page: its text, its members, and what the viewer may see of its review, its
grade releases and (for instructors) what was sent to the LMS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.markdown import render
from config.web import LaunchIdentity
from grading.passback.models import ScoreOutbox
from grading.people.models import Person
from grading.reviews.models import GradeRelease, Review
from grading.reviews.records import releases, review_of
from grading.submissions import service as submissions
from grading.submissions.access import learner_may_see, member_ids
from grading.submissions.models import Submission


@dataclass
class SubmissionHistory:
    """A submission with what the viewer may see of its review and grade history."""

    text_html: Markup
    members: list[Person]
    review: Review | None
    """Instructors see the employer's review (draft or final); students see it once released."""
    releases: Sequence[GradeRelease]
    """Instructors: every release with adjustment reasons. Students: only the latest."""
    outbox: Sequence[ScoreOutbox]
    """Instructors: what was sent to the LMS for this attempt, and how it went."""
    other_attempts: Sequence[Submission]


def history_for(session: Session, *, submission: Submission, identity: LaunchIdentity) -> SubmissionHistory:
    members = list(session.scalars(
        select(Person).where(Person.id.in_(member_ids(session, submission)))
        .order_by(Person.name)
    ))
    review = review_of(session, submission_id=submission.id)
    all_releases = releases(session, submission_id=submission.id)
    attempts = submissions.attempts(session, placement_id=submission.placement_id,
                                    key=submission.owner_key)
    others = [a for a in attempts if a.id != submission.id]
    if identity.is_instructor:
        outbox = session.scalars(
            select(ScoreOutbox).where(ScoreOutbox.submission_id == submission.id)
            .order_by(ScoreOutbox.timestamp, ScoreOutbox.id)
        ).all()
        return SubmissionHistory(render(submission.text_md), members, review, all_releases,
                                 outbox, others)
    latest = all_releases[-1:] if all_releases else []
    mine = [a for a in others if learner_may_see(session, submission=a, person_id=identity.person_id)]
    return SubmissionHistory(render(submission.text_md), members, review if latest else None,
                             latest, [], mine)

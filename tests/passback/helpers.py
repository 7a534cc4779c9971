"""Write what a released grade writes, without the review pages in front of it."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from grading.passback import service
from grading.passback.models import ScoreOutbox
from grading.people.models import Person
from grading.placements.models import Placement
from grading.reviews.models import GradeRelease
from grading.submissions.models import Submission, owner_key


def submission_for(db: Session, placement: Placement, person: Person) -> Submission:
    submission = Submission(
        placement_id=placement.id, owner_key=owner_key(person_id=person.id), person_id=person.id,
        member_ids=[person.id], attempt=1, text_md="My report", submitted_by_id=person.id,
        form_token=secrets.token_urlsafe(18),
    )
    db.add(submission)
    db.flush()
    return submission


def release_grade(
    db: Session, placement: Placement, person: Person, score: float, *, comment: str = "Well done",
    submission: Submission | None = None,
) -> ScoreOutbox:
    """A grade release and its outbox row, committed (delivery is queued after the commit)."""
    submission = submission or submission_for(db, placement, person)
    release = GradeRelease(
        submission_id=submission.id, placement_id=placement.id, source="employer",
        score_given=score, score_maximum=placement.score_maximum, comment=comment,
    )
    db.add(release)
    db.flush()
    row = service.enqueue_grade(
        db, placement=placement, person=person, release_id=release.id, score_given=score,
        score_maximum=placement.score_maximum, comment=comment, submission_id=submission.id,
    )
    assert row is not None
    db.commit()
    return row

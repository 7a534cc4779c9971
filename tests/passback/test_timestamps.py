"""Score timestamps, as the insert that writes a score's row computes them: a whole second,
strictly later than every score of the same gradebook cell (Moodle refuses a second it holds,
Canvas an older one), whatever the clock says; another learner's cell is not held back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from config.database import utcnow
from grading.passback.models import ScoreOutbox
from grading.submissions.models import Submission
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade
from tests.work.factories import person_row


def test_a_first_score_is_stamped_with_the_current_whole_second(world: Gradebook, db: Session) -> None:
    before = utcnow().replace(microsecond=0)
    row = release_grade(db, world.placed.placement, world.student, 60)
    assert row.timestamp.microsecond == 0
    assert before <= row.timestamp <= utcnow()


def test_a_cell_whose_last_score_is_ahead_of_the_clock_gets_the_second_after_it(
    world: Gradebook, db: Session
) -> None:
    first = release_grade(db, world.placed.placement, world.student, 60)
    ahead = utcnow().replace(microsecond=0) + timedelta(hours=1)
    db.execute(update(ScoreOutbox).where(ScoreOutbox.id == first.id).values(timestamp=ahead))
    db.commit()
    work = db.get(Submission, first.submission_id)
    learner = world.lms.add_user("Mary", "Somerville")
    world.lms.enrol(world.installed.course, learner, "Learner")
    classmate = person_row(db, world.installed, learner)

    second = release_grade(db, world.placed.placement, world.student, 75, submission=work)
    third = release_grade(db, world.placed.placement, world.student, 80, submission=work)
    elsewhere = release_grade(db, world.placed.placement, classmate, 90)

    assert second.timestamp == ahead + timedelta(seconds=1)
    assert third.timestamp == ahead + timedelta(seconds=2)
    assert elsewhere.timestamp < ahead and elsewhere.timestamp.microsecond == 0

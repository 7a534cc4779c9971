"""Releasing a grade costs a fixed handful of statements (it runs once per grade, thousands at
a time when a course's grades are released): the latest release, the new one, its members
with their addresses, one outbox row each, the student's notice when they have an address,
and the badge switch."""

from __future__ import annotations

from sqlalchemy import select, update

from grading.passback.models import OutboxKind, ScoreOutbox
from grading.people.models import Person
from grading.placements.models import Placement
from grading.reviews.models import GradeRelease, ReleaseSource
from grading.reviews.release import release
from grading.submissions.models import Submission
from tests.reviews.flow import submitted
from tests.reviews.test_query_counts import counted
from tests.work.harness import School


def _release(course: School, submission_id: int, score: float) -> list[str]:
    """One release in its own transaction, as an instructor's request makes it; its statements."""
    db = course.db
    db.expire_all()
    submission = db.get(Submission, submission_id)
    placement = db.get(Placement, course.placement_id)
    assert submission is not None and placement is not None
    with counted(db) as statements:
        release(db, submission=submission, placement=placement, source=ReleaseSource.INSTRUCTOR,
                score_given=score, feedback_md="Well argued.")
    db.commit()
    return [" ".join(statement.split()[:3]) for statement in statements]


def test_a_release_costs_a_fixed_number_of_statements(canvas_course: School) -> None:
    course = canvas_course
    _, submission = submitted(course)
    _release(course, submission.id, 70)

    with_notice = _release(course, submission.id, 80)
    again = _release(course, submission.id, 80)
    course.db.execute(update(Person).where(Person.id == submission.person_id).values(email=""))
    course.db.commit()
    without_address = _release(course, submission.id, 90)

    written = ["INSERT INTO grade_release", "INSERT INTO score_outbox"]
    assert [s for s in with_notice if s.startswith("INSERT")] == [
        *written, "INSERT INTO notice_once", "INSERT INTO outgoing_email"]
    assert len(with_notice) <= 12, with_notice
    assert len(again) <= 2 and all(s.startswith("SELECT") for s in again)  # writes nothing
    assert len(without_address) == 5, without_address
    assert [s for s in without_address if s.startswith("INSERT")] == written
    rows = course.db.scalars(select(ScoreOutbox).where(ScoreOutbox.kind == OutboxKind.GRADE.value)
                            .order_by(ScoreOutbox.id)).all()
    releases = course.db.scalars(select(GradeRelease).order_by(GradeRelease.id)).all()
    assert [r.score_given for r in rows] == [70, 80, 90] == [g.score_given for g in releases]
    assert [r.idempotency_key for r in rows] == [
        f"release:{g.id}:person:{submission.person_id}" for g in releases]

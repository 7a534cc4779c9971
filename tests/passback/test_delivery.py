"""Grades reach the emulated Canvas and Moodle through the outbox, once, whatever the LMS says."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import outbox
from grading.passback import tasks
from grading.passback.delivery import DeliveryOutcome, deliver_row
from grading.passback.models import CHANNEL, OutboxState, ScoreOutbox
from grading.submissions.models import Submission
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


def _row(db: Session, row_id: int) -> ScoreOutbox:
    db.expire_all()
    row = db.get(ScoreOutbox, row_id)
    assert row is not None
    return row


def test_a_released_grade_reaches_the_gradebook(world: Gradebook, db: Session) -> None:
    row = release_grade(db, world.placed.placement, world.student, 80, comment="Clear and useful")

    assert _row(db, row.id).state == OutboxState.SENT
    result = world.lms.result(world.item, world.installed.student)
    assert result is not None and result.score == 80
    assert result.grading_progress == "FullyGraded" and result.activity_progress == "Completed"
    [post] = world.lms.score_posts(world.item, world.installed.student)
    body = post.body
    assert body["userId"] == world.installed.student.user_id
    assert body["scoreGiven"] == 80 and body["scoreMaximum"] == 100
    assert body["comment"] == "Clear and useful"
    assert body["timestamp"] == row.timestamp.isoformat()
    if world.lms.is_canvas:
        assert body[CANVAS_SUBMISSION] == {"new_submission": False}
        assert result.attempts == 0  # grading did not use up a submission attempt
    else:
        assert CANVAS_SUBMISSION not in body


def test_two_grades_in_the_same_second_both_land_in_order(world: Gradebook, db: Session) -> None:
    first = release_grade(db, world.placed.placement, world.student, 60)
    work = db.get(Submission, first.submission_id)
    second = release_grade(db, world.placed.placement, world.student, 75, submission=work)

    assert second.timestamp.timestamp() - first.timestamp.timestamp() >= 1
    assert _row(db, second.id).state == OutboxState.SENT
    result = world.lms.result(world.item, world.installed.student)
    assert result is not None and result.score == 75
    refused = [p for p in world.lms.score_posts(world.item, accepted_only=False) if p.status >= 300]
    assert refused == []


def test_a_server_error_is_retried_and_delivered_once(world: Gradebook, db: Session) -> None:
    world.lms.faults.add("POST", "/scores", 500, body="Internal Server Error", times=1)
    row = release_grade(db, world.placed.placement, world.student, 90)

    pending = _row(db, row.id)
    assert pending.state == OutboxState.PENDING and pending.last_status is None
    assert "500" in pending.last_error and pending.next_attempt_at is not None
    db.execute(ScoreOutbox.__table__.update().values(next_attempt_at=None))
    db.commit()
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT
    assert deliver_row(row.id).outcome == DeliveryOutcome.NOT_CLAIMED  # a second run sends nothing
    assert len(world.lms.score_posts(world.item, world.installed.student)) == 1


def test_a_refusal_is_recorded_with_the_platforms_words(world: Gradebook, db: Session) -> None:
    world.lms.set_status(world.installed.course, world.installed.student, "Inactive")
    row = release_grade(db, world.placed.placement, world.student, 70)

    failed = _row(db, row.id)
    assert failed.state == OutboxState.FAILED
    if world.lms.is_canvas:
        assert failed.last_status == 422 and "not a student" in failed.last_error
    else:
        assert failed.last_status == 400 and "Incorrect score" in failed.last_error


def test_the_sweep_delivers_what_was_never_queued(world: Gradebook, db: Session) -> None:
    calls: list[int] = []
    outbox.register(CHANNEL, calls.append)  # the message is lost on its way to the broker
    try:
        row = release_grade(db, world.placed.placement, world.student, 55)
    finally:
        outbox.register(CHANNEL, tasks.enqueue)
    assert calls == [row.id] and _row(db, row.id).state == OutboxState.PENDING
    db.execute(ScoreOutbox.__table__.update().values(created_at=row.created_at.replace(year=2000)))
    db.commit()

    assert tasks.sweep() == 1
    assert _row(db, row.id).state == OutboxState.SENT
    assert len(world.lms.score_posts(world.item, world.installed.student)) == 1


def test_rows_are_never_written_twice_for_one_decision(world: Gradebook, db: Session) -> None:
    row = release_grade(db, world.placed.placement, world.student, 88)
    from grading.passback import service

    again = service.enqueue_grade(
        db, placement=world.placed.placement, person=world.student, release_id=row.release_id or 0,
        score_given=88, score_maximum=100, comment="Well done",
    )
    db.commit()
    assert again is not None and again.id == row.id
    assert len(db.scalars(select(ScoreOutbox)).all()) == 1


def test_retry_after_is_honoured(world: Gradebook, db: Session) -> None:
    world.lms.faults.too_many_requests("/scores", retry_after=120)
    row = release_grade(db, world.placed.placement, world.student, 42)

    waiting = _row(db, row.id)
    assert waiting.state == OutboxState.PENDING and "429" in waiting.last_error
    assert waiting.next_attempt_at is not None
    assert (waiting.next_attempt_at - waiting.created_at).total_seconds() >= 119


def test_canvas_rate_limit_403_is_retried_not_failed(world: Gradebook, db: Session) -> None:
    world.lms.faults.rate_limit("/scores")
    row = release_grade(db, world.placed.placement, world.student, 42)

    assert _row(db, row.id).state == OutboxState.PENDING
    db.execute(ScoreOutbox.__table__.update().values(next_attempt_at=None))
    db.commit()
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT


def test_a_newer_grade_in_the_lms_is_not_overwritten_silently(world: Gradebook, db: Session) -> None:
    from datetime import timedelta

    first = release_grade(db, world.placed.placement, world.student, 50)
    result = world.lms.result(world.item, world.installed.student)
    assert result is not None
    result.timestamp = result.timestamp + timedelta(hours=1)  # someone graded later, in the LMS
    work = db.get(Submission, first.submission_id)

    second = release_grade(db, world.placed.placement, world.student, 60, submission=work)

    failed = _row(db, second.id)
    assert failed.state == OutboxState.FAILED
    assert failed.last_status in (400, 409) and "timestamp" in failed.last_error.lower()
    assert failed.restamped and "new timestamp" in failed.note


def _written_not_sent(write: Callable[[], ScoreOutbox]) -> ScoreOutbox:
    """A row committed while its message goes nowhere, to be delivered when the test says."""
    calls: list[int] = []
    outbox.register(CHANNEL, calls.append)
    try:
        row = write()
    finally:
        outbox.register(CHANNEL, tasks.enqueue)
    assert calls == [row.id]
    return row


def _submitted(db: Session, world: Gradebook, work: Submission) -> ScoreOutbox:
    from config.database import utcnow
    from grading.passback import service

    row = service.enqueue_submitted(
        db, placement=world.placed.placement, person=world.student, submission_id=work.id,
        submitted_at=utcnow(), review_url="https://tool.example/review",
    )
    assert row is not None
    db.commit()
    return row


def test_an_older_grade_after_a_newer_one_was_sent_is_superseded(world: Gradebook, db: Session) -> None:
    older = _written_not_sent(lambda: release_grade(db, world.placed.placement, world.student, 40))
    work = db.get(Submission, older.submission_id)
    newer = release_grade(db, world.placed.placement, world.student, 70, submission=work)
    assert _row(db, newer.id).state == OutboxState.SENT

    assert deliver_row(older.id).outcome == DeliveryOutcome.SUPERSEDED

    assert _row(db, older.id).state == OutboxState.SUPERSEDED
    [post] = world.lms.score_posts(world.item, accepted_only=False)  # the older one never went
    assert post.body["scoreGiven"] == 70


def test_an_older_grade_after_a_newer_submission_lands_with_a_new_timestamp(
    world: Gradebook, db: Session
) -> None:
    grade = _written_not_sent(lambda: release_grade(db, world.placed.placement, world.student, 65))
    work = db.get(Submission, grade.submission_id)
    assert work is not None
    handed_in = _submitted(db, world, work)
    assert _row(db, handed_in.id).state == OutboxState.SENT

    assert deliver_row(grade.id).outcome == DeliveryOutcome.SENT

    sent = _row(db, grade.id)
    assert sent.restamped and sent.timestamp > handed_in.timestamp
    result = world.lms.result(world.item, world.installed.student)
    assert result is not None and result.score == 65
    refused = [p for p in world.lms.score_posts(world.item, accepted_only=False) if p.status >= 300]
    assert refused == []  # restamped before it was posted, not after the LMS refused it


def test_an_older_submission_after_a_newer_grade_was_sent_is_superseded(
    world: Gradebook, db: Session
) -> None:
    first = release_grade(db, world.placed.placement, world.student, 30)
    work = db.get(Submission, first.submission_id)
    assert work is not None
    handed_in = _written_not_sent(lambda: _submitted(db, world, work))
    grade = release_grade(db, world.placed.placement, world.student, 80, submission=work)
    assert _row(db, grade.id).state == OutboxState.SENT and grade.timestamp > handed_in.timestamp

    assert deliver_row(handed_in.id).outcome == DeliveryOutcome.SUPERSEDED

    result = world.lms.result(world.item, world.installed.student)
    assert result is not None and result.score == 80
    assert len(world.lms.score_posts(world.item, accepted_only=False)) == 2  # the two grades

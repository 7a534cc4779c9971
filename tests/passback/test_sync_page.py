"""The instructor's sync page: per student state, the LMS's words, retry and resend all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.passback.models import OutboxState, ScoreOutbox
from grading.submissions.models import Submission
from tests.passback.helpers import release_grade
from tests.work.harness import School, school


@pytest.fixture
def canvas_course(app: Flask, db: Session, settings: Settings) -> Iterator[School]:
    with school(db, settings, "canvas") as built:
        yield built


def _rows(course: School) -> list[ScoreOutbox]:
    course.db.expire_all()
    return list(course.db.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)))


def test_a_refused_grade_shows_the_lms_words_and_can_be_retried(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student)
    person = canvas_course.people["Ada Lovelace"]
    canvas_course.lms.set_status(canvas_course.installed.course, canvas_course.installed.student, "Inactive")
    release_grade(canvas_course.db, canvas_course.placed.placement, person, 64,
                  submission=canvas_course.db.scalar(select(Submission)))
    teacher = canvas_course.instructor()

    page = teacher.get(f"/passback/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Refused by the LMS" in page and "not a student" in page
    failed = _rows(canvas_course)[-1]

    canvas_course.lms.set_status(canvas_course.installed.course, canvas_course.installed.student, "Active")
    teacher.post(f"/passback/placements/{canvas_course.placement_id}/rows/{failed.id}/retry")

    assert _rows(canvas_course)[-1].state == OutboxState.SENT
    result = canvas_course.lms.result(canvas_course.item, canvas_course.installed.student)
    assert result is not None and result.score == 64
    page = teacher.get(f"/passback/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Accepted" in page and "200:" not in page


def test_resend_all_sends_every_latest_grade_again(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student)
    person = canvas_course.people["Ada Lovelace"]
    release_grade(canvas_course.db, canvas_course.placed.placement, person, 81,
                  submission=canvas_course.db.scalar(select(Submission)))
    teacher = canvas_course.instructor()

    teacher.post(f"/passback/placements/{canvas_course.placement_id}/resend-all")

    grades = [r for r in _rows(canvas_course) if r.kind == "grade"]
    assert [r.state for r in grades] == ["sent", "sent"] and grades[1].timestamp > grades[0].timestamp
    posts = canvas_course.lms.score_posts(canvas_course.item, canvas_course.installed.student)
    assert [p.body.get("scoreGiven") for p in posts] == [None, 81, 81]


def test_learners_cannot_see_or_touch_the_sync_page(canvas_course: School) -> None:
    student = canvas_course.student()
    assert student.get(f"/passback/placements/{canvas_course.placement_id}").status_code == 403
    assert student.post(f"/passback/placements/{canvas_course.placement_id}/resend-all").status_code == 403


def test_send_waiting_with_the_queue_down_says_the_scores_stay_queued(canvas_course: School) -> None:
    from config import outbox
    from grading.passback import tasks
    from grading.passback.models import CHANNEL

    student = canvas_course.student()
    tried: list[int] = []
    outbox.register(CHANNEL, lambda row_id: tried.append(row_id) or False)  # the broker is down
    try:
        canvas_course.submit(student)
        release_grade(canvas_course.db, canvas_course.placed.placement,
                      canvas_course.people["Ada Lovelace"], 70,
                      submission=canvas_course.db.scalar(select(Submission)))
        assert [r.state for r in _rows(canvas_course)] == ["pending", "pending"]
        tried.clear()
        teacher = canvas_course.instructor()
        answer = teacher.post(f"/passback/placements/{canvas_course.placement_id}/send-waiting")
        assert answer.status_code == 303
        page = teacher.get(answer.headers["Location"]).get_data(as_text=True)
    finally:
        outbox.register(CHANNEL, tasks.enqueue)
    assert len(tried) == 1  # stopped at the first failure
    assert "2 scores were not sent yet" in page and "sent automatically" in page
    assert [r.state for r in _rows(canvas_course)] == ["pending", "pending"]


def test_a_row_whose_worker_went_away_is_not_shown_as_sending(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student)
    person = canvas_course.people["Ada Lovelace"]
    release_grade(canvas_course.db, canvas_course.placed.placement, person, 77,
                  submission=canvas_course.db.scalar(select(Submission)))
    row = _rows(canvas_course)[-1]
    # The worker posted, then lost the database before it could write down the answer.
    row.state, row.claimed_at = OutboxState.SENDING.value, row.created_at - timedelta(hours=1)
    canvas_course.db.commit()

    page = canvas_course.instructor().get(
        f"/passback/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Checking whether the LMS received it" in page and ">Sending<" not in page

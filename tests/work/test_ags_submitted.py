"""Submitting tells the LMS through AGS (via the outbox): Submitted / PendingManual, no
score; on Canvas the submission extension, so the gradebook shows the work and keeps a grade."""

from __future__ import annotations

from sqlalchemy import select

from grading.passback.models import OutboxState, ScoreOutbox
from tests.work.harness import School

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


def test_a_submission_is_reported_to_the_lms(course: School) -> None:
    student = course.student()
    course.submit(student)

    [post] = course.lms.score_posts(course.item, course.installed.student)
    body = post.body
    assert body["activityProgress"] == "Submitted" and body["gradingProgress"] == "PendingManual"
    assert "scoreGiven" not in body and body["userId"] == course.installed.student.user_id
    row = course.db.scalar(select(ScoreOutbox))
    assert row is not None and row.state == OutboxState.SENT and row.kind == "submitted"
    if course.lms.is_canvas:
        extension = body[CANVAS_SUBMISSION]
        assert extension["new_submission"] is True and extension["preserve_score"] is True
        assert extension["submission_type"] == "online_url"
        assert extension["submission_data"].endswith(f"/work/submissions/{row.submission_id}")
        assert extension["submitted_at"]
        result = course.lms.result(course.item, course.installed.student)
        assert result is not None and result.attempts == 1 and result.submission_type == "online_url"
    else:
        assert CANVAS_SUBMISSION not in body


def test_a_resubmission_on_canvas_keeps_the_existing_grade(canvas_course: School) -> None:
    from grading.submissions.models import Submission
    from tests.passback.helpers import release_grade

    student = canvas_course.student()
    canvas_course.submit(student, text="first")
    person = canvas_course.people["Ada Lovelace"]
    first = canvas_course.db.scalar(select(Submission))
    # A grade already in the gradebook (as if the teacher had graded in Canvas).
    release_grade(canvas_course.db, canvas_course.placed.placement, person, 70, submission=first)
    result = canvas_course.lms.result(canvas_course.item, canvas_course.installed.student)
    assert result is not None and result.score == 70

    canvas_course.submit(student, text="second")

    result = canvas_course.lms.result(canvas_course.item, canvas_course.installed.student)
    assert result is not None and result.score == 70 and result.attempts == 2
    stamps = [p.body["timestamp"] for p in canvas_course.lms.score_posts(canvas_course.item)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3

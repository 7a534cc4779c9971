"""Moderation and release: automatic or instructor-approved, adjustments with reasons, the
rubric total scaled to scoreMaximum, the AGS comment, and nothing sent twice."""

from __future__ import annotations

from sqlalchemy import select

from grading.passback.models import ScoreOutbox
from grading.reviews.models import GradeRelease
from tests.reviews.flow import review, submitted
from tests.work.harness import School

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


def _grade_posts(course: School) -> list[dict[str, object]]:
    return [p.body for p in course.lms.score_posts(course.item, course.installed.student)
            if p.body.get("gradingProgress") == "FullyGraded"]


def test_automatic_release_sends_the_scaled_rubric_total(course: School) -> None:
    course.placed.placement.release_mode = "automatic"
    course.db.commit()
    _, submission = submitted(course)

    review(course.reviewer(), submission, course, (5, 3), feedback="Clear and well sourced. " * 80)

    [body] = _grade_posts(course)
    assert body["scoreGiven"] == 80 and body["scoreMaximum"] == 100
    assert body["activityProgress"] == "Completed" and body["userId"] == course.installed.student.user_id
    comment = str(body["comment"])
    assert comment.startswith("Clear and well sourced.") and len(comment) < 1000
    # No URL: opened from the gradebook it would be outside any launch. The activity is the way.
    assert comment.endswith(f"Full review: open “{course.placed.placement.title}” in your course.")
    assert "http" not in comment and "/work/" not in comment
    if course.lms.is_canvas:
        assert body[CANVAS_SUBMISSION] == {"new_submission": False}
    result = course.lms.result(course.item, course.installed.student)
    assert result is not None and result.score == 80


def test_instructor_mode_waits_for_approval(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 5))
    assert _grade_posts(canvas_course) == []
    teacher = canvas_course.instructor()

    page = teacher.get(f"/reviews/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Waiting for your approval" in page
    teacher.post(f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve")

    [body] = _grade_posts(canvas_course)
    assert body["scoreGiven"] == 100


def test_an_adjustment_needs_a_reason_kept_but_not_shown_to_the_student(canvas_course: School) -> None:
    student, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 3))
    teacher = canvas_course.instructor()
    approve = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve"

    refused = teacher.post(approve, data={"score": "90"})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    teacher.post(approve, data={"score": "90", "reason": "Extra credit for the survey"})

    release = canvas_course.db.scalar(select(GradeRelease))
    assert release is not None and release.adjusted and release.rubric_score == 80
    assert release.adjustment_reason == "Extra credit for the survey"
    [body] = _grade_posts(canvas_course)
    assert body["scoreGiven"] == 90
    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "90 / 100" in page and "Extra credit" not in page
    history = teacher.get(f"/work/submissions/{submission.id}").get_data(as_text=True)
    assert "adjusted from 80: Extra credit for the survey" in history


def test_a_second_release_of_the_same_grade_sends_nothing_new(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 3))
    teacher = canvas_course.instructor()
    approve = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve"

    teacher.post(approve)
    teacher.post(approve)
    teacher.post(approve, data={"score": "60"})  # the employer's own score: not an adjustment

    assert len(canvas_course.db.scalars(select(GradeRelease)).all()) == 1
    grade_rows = [r for r in canvas_course.db.scalars(select(ScoreOutbox)) if r.kind == "grade"]
    assert len(grade_rows) == 1 and len(_grade_posts(canvas_course)) == 1


def test_a_learner_cannot_release_grades(canvas_course: School) -> None:
    student, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 5))
    base = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}"

    assert student.post(f"{base}/approve").status_code == 403
    assert student.post(f"{base}/grade", data={"score": "100", "feedback": "me"}).status_code == 403
    assert student.get(f"/reviews/placements/{canvas_course.placement_id}").status_code == 403
    assert canvas_course.db.scalar(select(GradeRelease)) is None


def test_the_instructor_grades_work_the_employer_cannot_see(canvas_course: School) -> None:
    student, submission = submitted(canvas_course, consent=False)
    teacher = canvas_course.instructor()
    grade = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/grade"

    assert teacher.post(grade, data={"score": "101", "feedback": "x"}).status_code == 400
    assert teacher.post(grade, data={"score": "72.5", "feedback": "Solid work."}).status_code == 303

    [body] = _grade_posts(canvas_course)
    assert body["scoreGiven"] == 72.5 and str(body["comment"]).startswith("Solid work.")
    assert "72.5 / 100" in student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)


def test_the_gradebook_gets_exactly_the_released_score_and_comment(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 3), feedback="Thorough. " * 400)
    teacher = canvas_course.instructor()
    approve = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve"

    teacher.post(approve, data={"score": "79.456", "reason": "Late survey"})

    canvas_course.db.expire_all()
    release = canvas_course.db.scalar(select(GradeRelease))
    row = canvas_course.db.scalar(select(ScoreOutbox).where(ScoreOutbox.kind == "grade"))
    assert release is not None and row is not None
    assert release.score_given == 79.46 and row.score_given == 79.46  # rounded once, copied
    assert row.comment == release.comment and len(release.comment) < 1000
    [body] = _grade_posts(canvas_course)
    assert body["scoreGiven"] == 79.46 and body["comment"] == release.comment

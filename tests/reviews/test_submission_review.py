"""LtiSubmissionReviewRequest: the instructor opens a student's submission from the LMS
gradebook and sees it with its review and grade history."""

from __future__ import annotations

from tests.reviews.flow import review, submitted
from tests.work.harness import School


def test_the_gradebook_opens_the_students_submission(course: School) -> None:
    _, submission = submitted(course, text="Café market: 12 M€")
    review(course.reviewer(), submission, course, (5, 3))
    teacher = course.launch(course.installed.instructor, message_type="LtiSubmissionReviewRequest",
                            for_user=course.installed.student)

    page = teacher.get("/reviews/submission-review")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Café market: 12 M€" in text and "Ada Lovelace" in text
    assert "Employer review" in text and "8 / 10" in text


def test_a_student_without_work_is_explained(canvas_course: School) -> None:
    teacher = canvas_course.launch(canvas_course.installed.instructor,
                                   message_type="LtiSubmissionReviewRequest",
                                   for_user=canvas_course.installed.student)
    page = teacher.get("/reviews/submission-review")
    assert page.status_code == 404 and "has not submitted" in page.get_data(as_text=True)

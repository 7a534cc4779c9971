"""The credit pages pass the same checks as every grading page: labelled controls, existing
described-by targets, one h1, no inline script or style, forms that keep the launch session."""

from __future__ import annotations

import re

from tests.work.harness import School
from tests.work.test_accessibility import check

from .flow import decide, employer_verifies, graded, make_credit_bearing, officer, reflect, set_policy


def test_every_credit_page_is_accessible(canvas_course: School) -> None:
    set_policy(canvas_course)
    teacher = canvas_course.instructor()
    make_credit_bearing(canvas_course, teacher)
    student, submission = graded(canvas_course, teacher)
    person_id = canvas_course.people[student.name].id
    pid = canvas_course.placement_id
    first = teacher.get(f"/course/placements/{pid}/credit").get_data(as_text=True)
    check(first, in_lms=True)
    assert re.search(r"The project's estimated \d+ hours would earn [\d.]+ credits? under", first)
    employer_verifies(canvas_course, submission, person_id, "22")
    review_page = canvas_course.reviewer().get(f"/employer/reviews/{submission.id}")
    assert "Hours worked" in review_page.get_data(as_text=True)
    check(review_page.get_data(as_text=True), in_lms=False)
    check(student.get(f"/work/{pid}").get_data(as_text=True), in_lms=True)  # the reflection form
    reflect(canvas_course, student)
    decide(canvas_course, teacher, person_id)
    check(teacher.get(f"/course/placements/{pid}/credit").get_data(as_text=True), in_lms=True)
    check(student.get(f"/work/{pid}").get_data(as_text=True), in_lms=True)
    check(officer(canvas_course).get("/credit-office/").get_data(as_text=True), in_lms=False)

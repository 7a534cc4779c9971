"""Work a student did not share with the employer is the instructor's to grade from the start.

Every consent state, and what each party sees and can do: the student (who grades the work),
the employer (an obligation only for work it can see; otherwise an anonymous count), and the
instructor (the grading form open at once for unshared work; the grade reaches the gradebook).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grading.consent.models import Participation
from grading.reviews.models import GradeRelease, Review
from grading.submissions.models import Submission
from tests.reviews.flow import review
from tests.work.harness import LaunchedUser, School

UNSHARED = "You grade this one: the student did not share it with the employer"
STATES = ("none", "anonymous", "named", "name only", "withdrawn")
"""Sharing after submitting: nothing; the work under the pseudonym; consent naming the work;
consent to the name alone (the work stays private); consent given, then withdrawn."""


def _hand_in(course: School, state: str) -> tuple[LaunchedUser, Submission]:
    """A student who submits, then leaves their sharing in ``state``."""
    student = course.student()
    assert course.submit(student, text="Market of 40,000 cafés.").status_code == 303
    base = f"/work/{course.placement_id}"
    if state == "anonymous":
        assert student.post(f"{base}/sharing", data={"share": "yes"}).status_code == 303
    if state in ("named", "withdrawn", "name only"):
        records = [] if state == "name only" else ["work", "feedback"]
        assert student.post(f"{base}/consent", data={"records": records,
                                                     "signature": student.name}).status_code == 303
    course.db.expire_all()
    submission = course.db.scalar(select(Submission))
    assert submission is not None
    if state == "withdrawn":  # after the employer began a draft: it must not strand the grade
        assert review(course.reviewer(), submission, course, (3, 3), final=False) == 303
        assert student.post(f"{base}/consent/withdraw").status_code == 303
    return student, submission


def _grade_posts(course: School) -> list[dict[str, object]]:
    return [p.body for p in course.lms.score_posts(course.item, course.installed.student)
            if p.body.get("gradingProgress") == "FullyGraded"]


@pytest.mark.parametrize("state", STATES)
def test_the_employer_sees_only_work_it_can_review(canvas_course: School, state: str) -> None:
    _, submission = _hand_in(canvas_course, state)
    reviewer = canvas_course.reviewer()
    shared = state in ("anonymous", "named")

    inbox = reviewer.get("/employer/reviews/").get_data(as_text=True)

    link = f"/employer/reviews/{submission.id}"
    assert (link in inbox) is shared
    if shared:
        assert "Not started" in inbox and "not shared" not in inbox
    else:  # no row, no pseudonym, no due date: an anonymous count and nothing to do
        assert "Not started" not in inbox and "Review due" not in inbox
        assert _pseudonym(canvas_course) not in inbox
        assert "1 more submission was not shared with your organisation" in inbox
        assert "You have nothing to do for it" in inbox
        page = reviewer.get(link).get_data(as_text=True)
        assert "nothing for you to review" in page and "your review is due" not in page
    outcome = review(reviewer, submission, canvas_course, (5, 5))
    assert outcome == (303 if shared else 403)


def _pseudonym(course: School) -> str:
    row = course.db.scalar(select(Participation))
    assert row is not None
    return row.pseudonym


@pytest.mark.parametrize("state", STATES)
def test_the_instructor_grades_unshared_work_at_once(canvas_course: School, state: str) -> None:
    student, submission = _hand_in(canvas_course, state)
    teacher = canvas_course.instructor()
    shared = state in ("anonymous", "named")
    reviews = f"/reviews/placements/{canvas_course.placement_id}"

    page = teacher.get(reviews).get_data(as_text=True)

    assert (UNSHARED in page) is not shared
    landing = teacher.get(f"/course/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert ("You grade 1 submission yourself" in landing) is not shared  # told on arrival
    assert ("Waiting for the employer" in page or "Employer is reviewing" in page) is shared
    grading_form = re.search(r"<details( open)?><summary>([^<]+)</summary>", page)
    assert grading_form is not None
    assert (grading_form.group(1) == " open") is not shared  # open at once: nobody else will grade
    if shared:
        return
    assert "review due" not in page  # no deadline for work the employer will never see

    graded = teacher.post(f"{reviews}/submissions/{submission.id}/grade",
                          data={"score": "70", "feedback": "Well argued; cite the sources."})

    assert graded.status_code == 303
    [body] = _grade_posts(canvas_course)
    assert body["scoreGiven"] == 70 and str(body["comment"]).startswith("Well argued")
    released = canvas_course.db.scalar(select(GradeRelease))
    assert released is not None and released.source == "instructor"
    mine = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "70 / 100" in mine and "Feedback from your instructor" in mine
    assert "Released" in teacher.get(reviews).get_data(as_text=True)


@pytest.mark.parametrize("state", STATES)
def test_the_student_is_told_who_grades_the_work(canvas_course: School, state: str) -> None:
    student, _ = _hand_in(canvas_course, state)
    employer = canvas_course.placed.employer.org.name

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)

    if state in ("anonymous", "named"):
        assert f"<strong>{employer} reviews your work</strong>" in page
        assert "your instructor approves the grade" in page
    else:
        assert "<strong>Your instructor grades this work</strong>: you have not shared it" in page


def test_sharing_later_hands_the_work_back_to_the_employer(canvas_course: School) -> None:
    student, submission = _hand_in(canvas_course, "none")
    student.post(f"/work/{canvas_course.placement_id}/sharing", data={"share": "yes"})

    teacher = canvas_course.instructor()
    page = teacher.get(f"/reviews/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert UNSHARED not in page and "Waiting for the employer" in page
    reviewer = canvas_course.reviewer()
    assert f"/employer/reviews/{submission.id}" in reviewer.get("/employer/reviews/").get_data(as_text=True)
    assert review(reviewer, submission, canvas_course, (5, 3), feedback="Good.") == 303
    assert canvas_course.db.scalar(select(Review)) is not None

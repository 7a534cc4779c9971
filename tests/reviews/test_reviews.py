"""Employer review in the portal: drafts, the final review, rubric scores, skills,
recommendation; only the organisation's own submissions."""

from __future__ import annotations

import re

from sqlalchemy import select

from catalog.projects.models import RubricCriterion
from grading.reviews.models import GradeRelease, Review
from tests.reviews.flow import levels, review, submitted
from tests.work.harness import School, other_employer


def test_a_review_is_a_draft_until_submitted_as_final(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    reviewer = canvas_course.reviewer()

    assert review(reviewer, submission, canvas_course, (3, 5), final=False) == 303
    draft = canvas_course.db.scalar(select(Review))
    assert draft is not None and draft.state == "draft" and draft.points == 8
    assert review(reviewer, submission, canvas_course, (5, 5), skills=["excel", "not-a-skill"],
                  recommend="yes") == 303

    canvas_course.db.expire_all()
    final = canvas_course.db.scalar(select(Review))
    assert final is not None and final.is_final and final.finalized_at is not None
    assert (final.points, final.points_possible) == (10, 10)
    assert final.endorsed_skills == ["excel"] and final.recommend is True
    again = review(reviewer, submission, canvas_course, (1, 1))
    assert again == 409  # a final review never changes


def test_a_final_review_needs_every_criterion_and_feedback(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    reviewer = canvas_course.reviewer()
    chosen = levels(canvas_course, (3, 5))
    first, second = list(chosen)
    fields = {first: chosen[first], "feedback": "Clear charts; the **summary** wanders.",
              "skills": ["excel"], "recommend": "yes", "action": "final"}

    response = reviewer.post(f"/employer/reviews/{submission.id}", data=fields)

    # The same form again: what was chosen and typed kept, the error beside the criterion left out.
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please fix 1 problem" in page and "go back to Canvas or Moodle" not in page
    assert re.search(rf'<fieldset id="{second}" aria-describedby="{second}-error" aria-invalid="true">', page)
    assert f'<p class="field-error" id="{second}-error">Choose a level for' in page
    assert re.search(rf'name="{first}" value="{chosen[first]}" checked', page)
    assert "Clear charts; the **summary** wanders.</textarea>" in page
    assert re.search(r'name="skills" value="excel" checked', page)
    assert re.search(r'name="recommend" value="yes" checked', page)
    assert canvas_course.db.scalar(select(Review)) is None  # nothing half-saved

    blank = reviewer.post(f"/employer/reviews/{submission.id}",
                          data={**chosen, "feedback": "  ", "action": "final"})
    assert blank.status_code == 400
    assert 'id="feedback" name="feedback" rows="8" aria-describedby="feedback-error" aria-invalid="true"' \
        in blank.get_data(as_text=True)


def test_saving_says_so_and_the_final_review_reads_plainly(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    reviewer = canvas_course.reviewer()
    page = f"/employer/reviews/{submission.id}"

    draft = reviewer.post(page, data={**levels(canvas_course, (3, 5)), "feedback": "So far so good.",
                                      "action": "save"})
    assert "saved=draft" in draft.headers["Location"]
    assert "Draft saved." in reviewer.get(draft.headers["Location"]).get_data(as_text=True)

    final = reviewer.post(page, data={**levels(canvas_course, (3, 5)), "feedback": "Good **work**.",
                                      "skills": ["excel"], "recommend": "no", "action": "final"})
    shown = reviewer.get(final.headers["Location"]).get_data(as_text=True)
    assert "Review submitted: the instructor will approve it" in shown
    assert "<dt>Total</dt><dd><strong>8 of 10 points</strong></dd>" in shown
    assert "Good <strong>work</strong>." in shown and "No</dd>" in shown
    assert 'type="radio"' not in shown and "disabled" not in shown  # text, not faint controls
    criteria = canvas_course.db.scalars(select(RubricCriterion).order_by(RubricCriterion.position))
    for criterion, points in zip(criteria, (3, 5), strict=True):
        level = next(lv for lv in criterion.levels if lv.points == points)
        said = f"<dd>{level.label}: {points} of {criterion.max_points} points"
        assert f"<dt>{criterion.title}</dt>\n    {said}" in shown


def test_starting_a_review_ends_resubmission(canvas_course: School) -> None:
    student, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 3), final=False)
    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "started reviewing" in page and 'name="form_token"' not in page


def test_an_employer_cannot_review_another_organisations_work(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    outsider = canvas_course.reviewer(other_employer(canvas_course.db))
    assert review(outsider, submission, canvas_course, (5, 5)) == 404
    assert canvas_course.db.scalar(select(Review)) is None


def test_unshared_work_cannot_be_reviewed(canvas_course: School) -> None:
    _, submission = submitted(canvas_course, consent=False)
    reviewer = canvas_course.reviewer()
    assert review(reviewer, submission, canvas_course, (5, 5)) == 403
    assert canvas_course.db.scalar(select(Review)) is None


def test_the_student_sees_the_final_score_and_feedback_once_released(canvas_course: School) -> None:
    placement = canvas_course.placed.placement
    placement.release_mode = "automatic"
    canvas_course.db.commit()
    student, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 3), feedback="Great **work**.")

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "80 / 100" in page and "Great <strong>work</strong>." in page
    assert canvas_course.db.scalar(select(GradeRelease)) is not None

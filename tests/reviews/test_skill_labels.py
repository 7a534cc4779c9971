"""Endorsed skills read as people write them, never as stored slugs."""

from __future__ import annotations

from catalog.skills.service import label_of
from tests.reviews.flow import review, submitted
from tests.work.harness import School


def test_a_slug_reads_as_its_taxonomy_name_or_its_words() -> None:
    assert label_of("market-research") == "Market research"
    assert label_of("sql") == "SQL"
    assert label_of("stakeholder-mapping") == "Stakeholder mapping"


def test_the_student_and_the_history_show_skill_labels(canvas_course: School) -> None:
    canvas_course.placed.placement.release_mode = "automatic"
    canvas_course.db.commit()
    student, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 5),
           skills=["market-research", "excel"])

    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Skills endorsed: Market research, Excel" in page
    assert "market-research" not in page
    history = canvas_course.instructor().get(
        f"/work/submissions/{submission.id}").get_data(as_text=True)
    assert "Skills endorsed: Market research, Excel" in history

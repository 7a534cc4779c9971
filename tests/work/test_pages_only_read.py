"""Opening a page writes nothing: a GET leaves every table as it was. Rows are made by the POST
that means them (Start, consent, submit), by the launch, or by the roster refresh."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.database import Base
from grading.consent.models import Participation
from tests.work.harness import School


def _rows(db: Session) -> dict[str, int]:
    db.rollback()  # read what the app has committed, not an old snapshot
    return {table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables}


def test_reading_the_consent_page_does_not_start_the_project(course: School) -> None:
    learner = course.launch(course.installed.student)
    before = _rows(course.db)

    page = learner.get(f"/work/{course.placement_id}/consent")

    assert page.status_code == 200
    assert "would see you only under a pseudonym" in page.get_data(as_text=True)
    assert _rows(course.db) == before
    assert course.db.scalar(select(Participation)) is None


def test_the_instructors_overview_lists_the_roster_without_writing(course: School) -> None:
    course.add_student("Grace", "Hopper")  # on the roster, never launched
    teacher = course.instructor()
    assert teacher.post(f"/course/placements/{course.placement_id}/roster").status_code == 303
    before = _rows(course.db)

    page = teacher.get(f"/work/{course.placement_id}/manage")

    assert page.status_code == 200 and "Grace Hopper" in page.get_data(as_text=True)
    assert _rows(course.db) == before


def test_the_student_page_and_the_employer_inbox_only_read(course: School) -> None:
    student = course.student()
    assert course.submit(student).status_code == 303
    # Shared under the pseudonym: the inbox lists only work the employer may review.
    assert student.post(f"/work/{course.placement_id}/sharing", data={"share": "yes"}).status_code == 303
    reviewer = course.reviewer()
    before = _rows(course.db)

    assert student.get(f"/work/{course.placement_id}").status_code == 200
    inbox = reviewer.get("/employer/reviews/")

    assert inbox.status_code == 200 and "Student " in inbox.get_data(as_text=True)
    assert _rows(course.db) == before

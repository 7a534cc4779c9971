"""The instructor's moderation page and the employer's inbox read a fixed number of queries,
however many learners have handed work in (no query per submission)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from grading.reviews import release, service
from tests.reviews.flow import review, submitted
from tests.work.harness import School


@contextmanager
def counted(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind()

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _queries(course: School, read: Callable[[], object]) -> int:
    course.db.expire_all()
    read()  # a first read may set up pseudonyms; the count is of a settled page
    course.db.commit()
    course.db.expire_all()
    with counted(course.db) as statements:
        read()
    course.db.rollback()
    return len(statements)


def _hand_in(course: School, count: int) -> None:
    for number in range(count):
        user = course.add_student(f"Learner{number}", "Extra")
        student = course.student(user)
        course.submit(student)
        student.post(f"/work/{course.placement_id}/consent",
                     data={"records": ["work", "feedback"], "signature": student.name})


def test_moderation_and_inbox_do_not_query_per_submission(canvas_course: School) -> None:
    course = canvas_course
    placement = course.placed.placement
    employer_id = course.placed.employer.member.employer_id

    def moderation() -> object:
        rows = release.moderation(course.db, placement=placement, review_days=14)
        return release.owner_names(course.db, [row.submission for row in rows])

    def inbox() -> object:
        return service.inbox(course.db, employer_id=employer_id, review_days=14)

    _, first = submitted(course)
    review(course.reviewer(), first, course, (5, 3), final=False)
    one = (_queries(course, moderation), _queries(course, inbox))
    _hand_in(course, 3)
    four = (_queries(course, moderation), _queries(course, inbox))

    assert four == one, f"one learner: {one} queries, four learners: {four}"

"""Review deadlines: the employer's daily digest (on new work, day 3, day 6 and the due date,
at most once a day), the instructor told after the deadline, once; and the employers' median
time to feedback."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from catalog.projects.models import ProjectOffer
from config import runtime
from config.database import transaction, utcnow
from config.mail import OutgoingEmail
from grading.reviews import deadlines
from grading.reviews.models import Review, ReviewReminder
from grading.reviews.service import median_feedback_days
from lti_tool.registry.models import Platform as PlatformRow
from tests.reviews.flow import review, submitted
from tests.work.harness import School


def _run(days: float) -> int:
    rt = runtime.current()
    with transaction(rt.session_factory) as session:
        return deadlines.send_reminders(session, now=utcnow() + timedelta(days=days), review_days=7)


def _emails(course: School) -> list[OutgoingEmail]:
    course.db.expire_all()
    return list(course.db.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def test_the_employer_gets_a_digest_on_news_and_reminder_days_then_the_instructor_is_told(
        canvas_course: School) -> None:
    placement = canvas_course.placed.placement
    teacher = canvas_course.instructor()
    placement.created_by_person_id = canvas_course.people["Grace Hopper"].id
    canvas_course.db.commit()
    _, submission = submitted(canvas_course)

    assert _run(0) == 1  # new work: today's digest
    assert _run(0.01) == 0 and _run(1) == 0  # nothing new since
    assert _run(3.1) == 1 and _run(3.2) == 0  # day 3
    assert _run(6.1) == 1  # day 6
    assert _run(7.1) == 2 and _run(9) == 0  # due: a digest, and the instructor once

    kinds = [r.kind for r in canvas_course.db.scalars(select(ReviewReminder).order_by(ReviewReminder.id))]
    assert kinds == ["overdue"]
    emails = _emails(canvas_course)
    to_employer = [e for e in emails if e.to_address == canvas_course.placed.employer.member.email]
    assert len(to_employer) == 4 and {e.kind for e in to_employer} == {"review_digest"}
    assert to_employer[0].subject == "1 student submission awaits your review"
    base = runtime.current().settings.base_url
    assert f"{base}/employer/reviews/{submission.id}\n" in to_employer[0].body
    assert "(overdue)" in to_employer[-1].body
    assert all("Lovelace" not in e.body and "Lovelace" not in e.subject for e in to_employer)
    overdue = [e for e in emails if e.kind == "review_overdue"]
    assert [e.to_address for e in overdue] == ["grace@example.edu"]
    assert "Open Microbridge from" in overdue[0].body and "/reviews/placements" not in overdue[0].body
    page = teacher.get(f"/reviews/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Waiting for the employer" in page  # overdue only once the deadline has really passed


def test_one_digest_a_day_however_much_work_arrives(canvas_course: School) -> None:
    submitted(canvas_course)
    assert _run(0) == 1
    second = canvas_course.add_student("Alan", "Turing")
    canvas_course.submit(canvas_course.student(second), text="Mine too.")
    student = canvas_course.student(second)
    student.post(f"/work/{canvas_course.placement_id}/consent",
                 data={"records": ["work", "feedback"], "signature": student.name})
    assert _run(0.001) == 0  # new work, but today's digest went out
    assert _run(1) == 1  # tomorrow's lists both
    digests = [e for e in _emails(canvas_course) if e.kind == "review_digest"]
    assert len(digests) == 2 and digests[1].subject == "2 student submissions await your review"


def test_work_not_shared_is_no_obligation_for_the_employer(canvas_course: School) -> None:
    submitted(canvas_course, consent=False)
    assert _run(0) == 0 and _run(3.1) == 0
    assert [e for e in _emails(canvas_course) if e.kind == "review_digest"] == []


def test_no_reminder_after_a_final_review(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 3))
    assert _run(3.5) == 0 and _run(8) == 0


def test_an_overdue_review_lets_the_instructor_grade(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    submission.submitted_at = utcnow() - timedelta(days=8)
    canvas_course.db.commit()
    teacher = canvas_course.instructor()

    page = teacher.get(f"/reviews/placements/{canvas_course.placement_id}").get_data(as_text=True)

    assert "Employer review overdue" in page and "Grade it yourself" in page


def test_median_time_to_feedback(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 3))
    row = canvas_course.db.scalar(select(Review))
    assert row is not None and row.finalized_at is not None
    row.finalized_at = submission.submitted_at + timedelta(days=2, hours=12)
    canvas_course.db.commit()
    employer_id = canvas_course.placed.employer.org.id

    medians = median_feedback_days(canvas_course.db, employer_ids=[employer_id, 999])
    assert medians == {employer_id: 2.5, 999: None}
    teacher = canvas_course.instructor()
    page = teacher.get(f"/reviews/placements/{canvas_course.placement_id}").get_data(as_text=True)
    assert "2.5 days" in page


def test_curators_and_instructors_see_employers_feedback_times(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 3))
    teacher = canvas_course.instructor()
    db = canvas_course.db
    platform = db.get(PlatformRow, canvas_course.installed.row_id)
    assert platform is not None and platform.institution_id is not None
    # Only employers that offered the viewer's institution a project are listed.
    assert "Acme Analytics" not in teacher.get("/reviews/employers").get_data(as_text=True)
    db.add(ProjectOffer(project_id=canvas_course.placed.employer.revision.project_id,
                        institution_id=platform.institution_id,
                        listed_revision_id=canvas_course.placed.employer.revision.id))
    db.commit()

    page = teacher.get("/reviews/employers").get_data(as_text=True)

    assert "Acme Analytics" in page and "<td>1</td>" in page
    assert canvas_course.app.test_client().get("/reviews/employers").status_code == 302  # sign in

"""Submitting work: text, links and files; attempts; late work; double clicks; whose it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from config.database import utcnow
from grading.submissions.models import StoredFile, Submission
from tests.work.harness import School, _token

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _submissions(course: School) -> list[Submission]:
    course.db.expire_all()
    return list(course.db.scalars(select(Submission).order_by(Submission.id)))


def test_a_submission_keeps_text_links_and_files(canvas_course: School) -> None:
    student = canvas_course.student()

    response = canvas_course.submit(
        student, text="# Findings\n\n<script>alert(1)</script> **bold**",
        links="https://example.org/deck\nhttps://example.org/sheet",
        files=[(PDF, "report.pdf"), (b"region,size\nnorth,12\n", "data.csv")],
    )

    assert response.status_code == 303
    [submission] = _submissions(canvas_course)
    assert submission.attempt == 1 and not submission.is_late
    assert submission.links == ["https://example.org/deck", "https://example.org/sheet"]
    assert [(f.filename, f.media_type) for f in submission.files] == [
        ("report.pdf", "application/pdf"), ("data.csv", "text/csv")]
    page = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>bold</strong>" in page and "<script>" not in page
    download = student.get(f"/work/submissions/{submission.id}/files/{submission.files[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_files_are_stored_by_content_hash_outside_the_web_root(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, files=[(PDF, "../../etc/passwd.pdf")])

    stored = canvas_course.db.scalar(select(StoredFile))
    assert stored is not None
    path = canvas_course.app.instance_path + f"/files/{stored.sha256[:2]}/{stored.sha256[2:]}"
    with open(path, "rb") as handle:
        assert handle.read() == PDF
    [submission] = _submissions(canvas_course)
    assert submission.files[0].filename == "passwd.pdf"  # a display name, never a path


def test_a_double_clicked_submit_makes_one_attempt(canvas_course: School) -> None:
    student = canvas_course.student()
    token = _token(student, canvas_course.placement_id)

    first = canvas_course.submit(student, token=token)
    second = canvas_course.submit(student, token=token)

    assert first.headers["Location"] == second.headers["Location"]
    assert len(_submissions(canvas_course)) == 1


def test_every_attempt_is_kept(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, text="first")
    canvas_course.submit(student, text="second")

    assert [(s.attempt, s.text_md) for s in _submissions(canvas_course)] == [(1, "first"), (2, "second")]
    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Attempt 1" in page and "Attempt 2" in page


def test_late_work_is_accepted_and_says_how_late(canvas_course: School) -> None:
    placement = canvas_course.placed.placement
    placement.due_at = utcnow() - timedelta(days=2, hours=3)
    canvas_course.db.commit()
    student = canvas_course.student()

    canvas_course.submit(student)

    [submission] = _submissions(canvas_course)
    assert submission.is_late and submission.late_by == "2 days 3 hours"
    page = student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)
    assert "Late by 2 days 3 hours" in page
    assert "The due date has passed" in page  # no further attempts after the due date


def test_no_resubmission_once_a_review_started(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student)
    token = _token(student, canvas_course.placement_id)
    [submission] = _submissions(canvas_course)
    submission.review_started_at = utcnow()
    canvas_course.db.commit()

    refused = canvas_course.submit(student, token=token)

    assert refused.status_code == 409
    assert "started reviewing" in refused.get_data(as_text=True)
    assert len(_submissions(canvas_course)) == 1


def test_nothing_to_submit_is_refused(canvas_course: School) -> None:
    student = canvas_course.student()
    refused = canvas_course.submit(student, text="  ")
    assert refused.status_code == 400 and "Add some text, a link or a file" in refused.get_data(as_text=True)


def test_a_link_must_be_a_web_address(canvas_course: School) -> None:
    student = canvas_course.student()
    refused = canvas_course.submit(student, links="javascript:alert(1)")
    assert refused.status_code == 400 and _submissions(canvas_course) == []


def test_a_student_cannot_see_another_students_work(canvas_course: School) -> None:
    ada = canvas_course.student()
    canvas_course.submit(ada, files=[(PDF, "report.pdf")])
    [submission] = _submissions(canvas_course)
    alan = canvas_course.student(canvas_course.add_student("Alan", "Turing"))

    assert alan.get(f"/work/submissions/{submission.id}").status_code == 404
    assert alan.get(f"/work/submissions/{submission.id}/files/{submission.files[0].id}").status_code == 404
    assert "report.pdf" not in alan.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True)


def test_the_instructor_sees_every_submission_of_the_course(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, text="for the teacher")
    [submission] = _submissions(canvas_course)
    teacher = canvas_course.instructor()

    assert "for the teacher" in teacher.get(f"/work/submissions/{submission.id}").get_data(as_text=True)
    overview = teacher.get(f"/work/{canvas_course.placement_id}/manage").get_data(as_text=True)
    assert "Ada Lovelace" in overview and "Attempt 1" in overview

"""A downloaded submission file names its media type once, with exactly one charset."""

from __future__ import annotations

from sqlalchemy import select

from grading.submissions.models import Submission
from tests.security.work_fixtures import canvas_course
from tests.work.harness import School

__all__ = ["canvas_course"]


def test_a_text_download_has_one_charset(canvas_course: School) -> None:
    student = canvas_course.student()
    assert canvas_course.submit(student, files=[(b"print('hi')\n", "analysis.py")]).status_code == 303
    canvas_course.db.expire_all()
    submission = canvas_course.db.scalar(select(Submission))
    assert submission is not None
    served = student.get(f"/work/submissions/{submission.id}/files/{submission.files[0].id}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert served.headers.get_all("Content-Type") == ["text/plain; charset=utf-8"]


def test_a_binary_download_has_no_charset(canvas_course: School) -> None:
    student = canvas_course.student()
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    assert canvas_course.submit(student, files=[(png, "chart.png")]).status_code == 303
    canvas_course.db.expire_all()
    submission = canvas_course.db.scalar(select(Submission))
    assert submission is not None
    served = student.get(f"/work/submissions/{submission.id}/files/{submission.files[0].id}")
    assert served.headers["Content-Type"] == "image/png"

"""A submit that fails part-way leaves nothing: the page says nothing was half-saved, and it
is true on either database (the attempt row is written inside a savepoint before its files)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from grading.submissions.models import StoredFile, Submission, SubmissionFile
from tests.work.harness import School

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _counts(course: School) -> tuple[int, int, int]:
    course.db.expire_all()
    return tuple(  # type: ignore[return-value]
        course.db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Submission, SubmissionFile, StoredFile)
    )


def test_a_file_that_cannot_be_kept_leaves_no_half_saved_attempt(canvas_course: School) -> None:
    student = canvas_course.student()
    # The folder this file's content belongs in is taken by a plain file: keeping the upload
    # fails after the attempt row was flushed (and its savepoint released).
    digest = hashlib.sha256(PDF).hexdigest()
    files = Path(canvas_course.app.instance_path) / "files"
    files.mkdir(parents=True, exist_ok=True)
    blocker = files / digest[:2]
    # Earlier tests on this instance folder may have kept files in that folder: set it aside.
    earlier = files / f"{digest[:2]}.earlier"
    if blocker.exists():
        blocker.rename(earlier)
    blocker.write_bytes(b"not a folder")
    try:
        response = canvas_course.submit(student, files=[(PDF, "report.pdf")])
    finally:
        blocker.unlink()
        if earlier.exists():
            earlier.rename(blocker)

    assert response.status_code == 500
    assert "Nothing you sent was half-saved" in response.get_data(as_text=True)
    assert _counts(canvas_course) == (0, 0, 0)

    # And the next try, with the disk in order again, is attempt 1.
    again = canvas_course.submit(student, files=[(PDF, "report.pdf")])
    assert again.status_code == 303
    assert _counts(canvas_course) == (1, 1, 1)
    assert canvas_course.db.scalar(select(Submission.attempt)) == 1

"""Uploads: size limits (1 MB a file, 2 MB a submission in these tests) and content types,
refused before anything is stored, with the limit named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from grading.submissions.models import StoredFile, Submission
from tests.work.harness import School

MB = 1024 * 1024


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * (size - len(head))


def _stored(course: School) -> tuple[int, int, list[Path]]:
    course.db.expire_all()
    files_dir = Path(course.app.instance_path) / "files"
    on_disk = [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else []
    return (len(course.db.scalars(select(Submission)).all()),
            len(course.db.scalars(select(StoredFile)).all()), on_disk)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_file_at_the_limit_is_accepted(canvas_course: School) -> None:
    student = canvas_course.student()
    response = canvas_course.submit(student, files=[(_pdf(MB), "exactly-one-mb.pdf")])
    assert response.status_code == 303
    assert _stored(canvas_course)[:2] == (1, 1)


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(canvas_course: School) -> None:
    student = canvas_course.student()
    before = _stored(canvas_course)[2]

    refused = canvas_course.submit(student, files=[(_pdf(100), "ok.pdf"), (_pdf(MB + 1), "big.pdf")])

    assert refused.status_code == 413
    assert "larger than 1 MB, the limit for one file" in refused.get_data(as_text=True)
    count, stored, on_disk = _stored(canvas_course)
    assert (count, stored) == (0, 0) and on_disk == before


def test_files_together_over_the_submission_limit_are_refused(canvas_course: School) -> None:
    student = canvas_course.student()
    files = [(_pdf(MB - 100), f"part{i}.pdf") for i in range(3)]  # 3 MB: over 2 MB plus the form

    refused = canvas_course.submit(student, files=files)

    assert refused.status_code == 413
    assert "2 MB" in refused.get_data(as_text=True)
    assert _stored(canvas_course)[:2] == (0, 0)


def test_files_just_over_the_total_are_refused_by_the_tool(canvas_course: School) -> None:
    student = canvas_course.student()
    files = [(_pdf(MB), "a.pdf"), (_pdf(MB), "b.pdf"), (_pdf(10), "c.pdf")]  # 2 MB + 10 bytes

    refused = canvas_course.submit(student, files=files)

    assert refused.status_code == 413
    assert "larger than 2 MB, the limit for one submission" in refused.get_data(as_text=True)
    assert _stored(canvas_course)[:2] == (0, 0)


def test_files_at_the_submission_limit_are_accepted(canvas_course: School) -> None:
    student = canvas_course.student()
    response = canvas_course.submit(student, files=[(_pdf(MB), "a.pdf"), (_pdf(MB), "b.pdf")])
    assert response.status_code == 303


@pytest.mark.parametrize(("content", "name", "reason"), [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "invoice.pdf", "is an .exe program"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "tool", "is a Linux program"),
    (b"%PDF-1.4\n" + b"0" * 50, "report.docx", "named .docx but it is a PDF document"),
    (b"plain words", "notes.exe", "not an accepted text type"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.svg", "not an accepted"),
    (b"\x00\x01\x02\x03 binary junk", "data.bin", "cannot tell what kind of file"),
    (b"", "empty.txt", "is empty"),
])
def test_disallowed_content_is_refused(canvas_course: School, content: bytes, name: str, reason: str) -> None:
    student = canvas_course.student()
    refused = canvas_course.submit(student, files=[(content, name)])
    assert refused.status_code in (413, 415)
    page = refused.get_data(as_text=True)
    assert reason in page
    assert "application/" not in page  # people read kinds of files, not media types
    assert _stored(canvas_course)[:2] == (0, 0)


@pytest.mark.parametrize(("content", "name", "media_type"), [
    (b"import pandas as pd\nprint('hi')\n", "analysis.py", "text/plain"),
    (b"# Notes\n\nsome *markdown*\n", "notes.md", "text/markdown"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "chart.png", "image/png"),
    (_docx(), "report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_accepted_types_are_recognised_by_content(
    canvas_course: School, content: bytes, name: str, media_type: str
) -> None:
    student = canvas_course.student()
    assert canvas_course.submit(student, files=[(content, name)]).status_code == 303
    canvas_course.db.expire_all()
    submission = canvas_course.db.scalar(select(Submission))
    assert submission is not None and submission.files[0].media_type == media_type


def test_a_text_file_is_served_as_plain_text(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, files=[(b"<html><script>alert(1)</script></html>", "page.html")])
    canvas_course.db.expire_all()
    submission = canvas_course.db.scalar(select(Submission))
    assert submission is not None
    served = student.get(f"/work/submissions/{submission.id}/files/{submission.files[0].id}")
    assert served.headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in served.headers["Content-Security-Policy"]

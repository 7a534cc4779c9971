"""L6: storage a learner (or team) can use in one project is bounded: attempts are capped, the
files they keep are under a quota, and the files of superseded attempts are collected. A
refused attempt stores nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from config.settings import Settings
from grading.submissions.models import Submission
from tests.security.work_fixtures import canvas_course
from tests.work.harness import School

__all__ = ["canvas_course"]

KB = 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(upload_max_file_mb=1, upload_max_submission_mb=2,
                                   upload_quota_mb=1, max_attempts=4, keep_attempt_files=2)


def _pdf(size: int, marker: int) -> bytes:
    head = b"%PDF-1.4\n%" + str(marker).encode() + b"\n"
    return head + b"0" * (size - len(head))


def _on_disk(course: School) -> set[str]:
    """The content of this test's attempts still in the file store."""
    folder = Path(course.app.instance_path) / "files"
    hashes = {f.stored.sha256 for s in _attempts(course) for f in s.files}
    return {h for h in hashes if (folder / h[:2] / h[2:]).is_file()}


def _attempts(course: School) -> list[Submission]:
    course.db.expire_all()
    return list(course.db.scalars(select(Submission).order_by(Submission.attempt)).all())


def test_superseded_files_are_collected_and_the_quota_counts_what_is_kept(
    canvas_course: School
) -> None:
    student = canvas_course.student()
    for n in range(3):
        sent = canvas_course.submit(student, files=[(_pdf(400 * KB, n), f"report-{n}.pdf")])
        assert sent.status_code == 303, sent.text[:300]
    first, second, third = _attempts(canvas_course)
    assert first.files[0].collected_at is not None  # older than the two newest attempts
    assert second.files[0].collected_at is None and third.files[0].collected_at is None
    assert len(_on_disk(canvas_course)) == 2
    gone = student.get(f"/work/submissions/{first.id}/files/{first.files[0].id}")
    assert gone.status_code == 410
    kept = student.get(f"/work/submissions/{third.id}/files/{third.files[0].id}")
    assert kept.status_code == 200

    # Kept after this attempt: 400 KB (attempt 3) + 700 KB > 1 MB.
    big = _pdf(700 * KB, 9)
    over = canvas_course.submit(student, files=[(big, "big.pdf")])
    assert over.status_code == 413 and "1 MB" in over.text
    assert len(_attempts(canvas_course)) == 3 and len(_on_disk(canvas_course)) == 2
    digest = hashlib.sha256(big).hexdigest()
    files = Path(canvas_course.app.instance_path) / "files"
    assert not (files / digest[:2] / digest[2:]).exists()
    assert not [p for p in (files / "tmp").glob("*") if p.is_file()]


def test_attempts_are_capped(canvas_course: School) -> None:
    student = canvas_course.student()
    for n in range(4):
        assert canvas_course.submit(student, text=f"Attempt {n}").status_code == 303
    refused = canvas_course.submit(student, text="One more")
    assert refused.status_code == 409 and "4 attempts" in refused.text
    assert len(_attempts(canvas_course)) == 4


def test_the_same_content_in_a_kept_attempt_is_not_collected(canvas_course: School) -> None:
    student = canvas_course.student()
    same = _pdf(100 * KB, 1)
    for n in range(3):
        assert canvas_course.submit(student, files=[(same, f"r{n}.pdf")]).status_code == 303
    newest = _attempts(canvas_course)[-1]
    assert len(_on_disk(canvas_course)) == 1
    served = student.get(f"/work/submissions/{newest.id}/files/{newest.files[0].id}")
    assert served.status_code == 200 and served.data == same

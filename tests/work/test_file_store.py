"""The file store under trouble: a full disk refuses the upload in words (507) and keeps
nothing; content left by a commit that failed after its files were kept is removed by the
housekeeping sweep once it is older than the grace, and nothing a kept attempt refers to is."""

from __future__ import annotations

import errno
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.database import utcnow
from grading.submissions import service, storage
from grading.submissions.models import StoredFile, Submission, SubmissionFile
from grading.submissions.service import Owner
from grading.submissions.storage import LocalFolderStore
from tests.work.harness import School

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _store(course: School) -> LocalFolderStore:
    files = course.app.extensions["microbridge"].files
    assert isinstance(files, LocalFolderStore)
    return files


def _counts(course: School) -> tuple[int, int]:
    course.db.expire_all()
    return (course.db.scalar(select(func.count()).select_from(Submission)) or 0,
            course.db.scalar(select(func.count()).select_from(SubmissionFile)) or 0)


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_full_disk_refuses_the_upload_with_507_and_keeps_the_text(
    canvas_course: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    student = canvas_course.student()
    staging = _store(canvas_course).root / "tmp"
    before = set(staging.iterdir()) if staging.exists() else set()

    def no_space(_fd: int, _data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    # Only the store writes with os.write here; the database and the test client do not.
    with monkeypatch.context() as patched:
        patched.setattr(storage.os, "write", no_space)
        response = canvas_course.submit(student, text="My findings", files=[(PDF, "report.pdf")])

    assert response.status_code == 507
    page = response.get_data(as_text=True)
    assert "no room left to store files" in page and "nothing from this attempt" in page
    assert "My findings" in page  # the text comes back in the form
    assert _counts(canvas_course) == (0, 0)
    assert set(staging.iterdir()) == before  # the partial upload was removed

    again = canvas_course.submit(student, files=[(PDF, "report.pdf")])
    assert again.status_code == 303 and _counts(canvas_course) == (1, 1)


def test_the_store_reports_a_full_disk_at_the_final_sync(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalFolderStore(tmp_path / "files")

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", no_space)
    with pytest.raises(storage.StorageFull):
        store.stage(io.BytesIO(PDF), max_bytes=1024)
    assert list((tmp_path / "files" / "tmp").iterdir()) == []


def test_content_nothing_refers_to_is_removed_after_the_grace(canvas_course: School) -> None:
    store = _store(canvas_course)
    student = canvas_course.student()
    assert canvas_course.submit(student, files=[(PDF, "report.pdf")]).status_code == 303
    kept = store.path_for(canvas_course.db.scalars(select(StoredFile.sha256)).one())
    # As if a submit's commit failed after its file was kept: content, and no row.
    orphan = store.stage(io.BytesIO(b"name,size\nnorth,12\n"), max_bytes=1024)
    store.keep(orphan)
    orphan_path = store.path_for(orphan.sha256)
    fresh = store.stage(io.BytesIO(b"kept a minute ago\n"), max_bytes=1024)
    store.keep(fresh)
    left_staged = store.stage(io.BytesIO(b"a killed upload"), max_bytes=1024)
    for path in (kept, orphan_path, left_staged.path):
        _age(path, hours=7)

    removed = service.remove_orphans(canvas_course.db, store, now=utcnow(),
                                     grace=timedelta(hours=6))

    assert removed == 2
    assert not orphan_path.exists() and not left_staged.path.exists()
    assert kept.exists()  # a kept attempt refers to it, however old
    assert store.path_for(fresh.sha256).exists()  # inside the grace: its commit may be coming
    download = student.get(f"/work/submissions/{canvas_course.db.scalars(select(Submission.id)).one()}"
                           f"/files/{canvas_course.db.scalars(select(SubmissionFile.id)).one()}")
    assert download.status_code == 200 and download.data == PDF


def test_keeping_content_already_stored_restarts_its_grace(tmp_path: Path) -> None:
    store = LocalFolderStore(tmp_path / "files")
    first = store.stage(io.BytesIO(PDF), max_bytes=1024)
    store.keep(first)
    path = store.path_for(first.sha256)
    _age(path, hours=7)
    store.keep(store.stage(io.BytesIO(PDF), max_bytes=1024))  # a new attempt with the same file

    cutoff = time.time() - 6 * 3600
    assert list(store.orphans(older_than=cutoff, referenced=set())) == []


def test_a_clash_on_individual_work_names_the_other_tab_not_a_team() -> None:
    alone = service.concurrent_attempt_message(Owner("p:1", None, []))
    in_team = service.concurrent_attempt_message(Owner("t:1", 1, []))

    assert "team" not in alone and "another tab or window" in alone
    assert "Someone in your team" in in_team

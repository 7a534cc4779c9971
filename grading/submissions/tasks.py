"""Periodic file-store housekeeping: content nothing refers to, uploads left staged."""

from __future__ import annotations

from config import runtime
from config.celery_app import celery_app
from config.database import utcnow
from grading import runtime as grading_runtime
from grading.submissions import service


@celery_app.task(
    name="microbridge.grading.submissions.remove_orphan_files", acks_late=True, ignore_result=True
)
def remove_orphan_files() -> int:
    """Remove files left by a commit that failed after they were kept (safe to run twice)."""
    rt = runtime.current()
    with rt.session_factory() as session:
        return service.remove_orphans(session, grading_runtime.current().files, now=utcnow())

"""Periodic review work: daily digests to employers and overdue notices to instructors."""

from __future__ import annotations

from config import runtime
from config.celery_app import celery_app
from config.database import transaction, utcnow
from grading.reviews import deadlines


@celery_app.task(name="microbridge.grading.reviews.send_reminders", acks_late=True, ignore_result=True)
def send_reminders() -> int:
    """Queue the employers' daily digests and the overdue notices that are due (each once)."""
    rt = runtime.current()
    with transaction(rt.session_factory) as session:
        return deadlines.send_reminders(session, now=utcnow(), review_days=rt.settings.review_days)

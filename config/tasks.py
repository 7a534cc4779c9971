"""Housekeeping tasks of the ground floor."""

from __future__ import annotations

from config import runtime
from config.celery_app import celery_app


@celery_app.task(name="microbridge.config.tasks.purge_expired", acks_late=True)
def purge_expired() -> int:
    """Delete expired launch state, nonces and cache entries from the database store."""
    store = runtime.current().store
    purge = getattr(store, "purge_expired", None)
    return int(purge()) if purge else 0

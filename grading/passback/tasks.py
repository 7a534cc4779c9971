"""Celery tasks of grade passback: deliver one score, and the sweep that re-queues lost ones.

With workers over Redis, a score's first try (and a row the sweep queues again) reaches a
worker through the score pump's list (grading/passback/pump.py), not as a task; a try that
must wait is retried as a delayed task, as before.

Both take ids only and are safe to run twice: the outbox row is the truth and its claim
stops a second sender (hence ``acks_late``: a worker killed mid-task leaves its message, or
the sweep, to try again). A database error is retried with backoff, not acknowledged and
left to the sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from config import outbox, runtime
from config.celery_app import celery_app
from config.database import transaction, utcnow
from grading.passback import delivery, pump, service
from grading.passback.models import CHANNEL

log = logging.getLogger(__name__)


DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


@celery_app.task(
    name="microbridge.grading.passback.deliver_score", bind=True, acks_late=True,
    max_retries=None, ignore_result=True, autoretry_for=DATABASE_ERRORS, retry_backoff=2,
    retry_backoff_max=60, retry_jitter=True,
)
def deliver_score(self: Any, *, outbox_id: int) -> str:
    """Post one outbox row's score to the LMS; retry later when the LMS is unavailable."""
    tried = delivery.deliver_row(outbox_id, eager=bool(self.request.is_eager))
    if tried.retry_in is not None:
        # If Redis is down this raises: the row is pending with its next try noted, and the
        # sweep will queue it.
        raise self.retry(countdown=tried.retry_in, max_retries=None)
    return tried.outcome.value


@celery_app.task(name="microbridge.grading.passback.sweep_scores", acks_late=True, ignore_result=True)
def sweep_scores() -> int:
    """Queue every row a lost message, a dead worker or a Redis outage left behind."""
    return sweep()


def sweep() -> int:
    rt = runtime.current()
    settings = rt.settings
    # A row nobody claimed is queued again after a short grace (its message was lost); then
    # not again for as long as a claim may last: under a backlog its message is still in the
    # queue, and queuing it over and over would only add work (never a second grade).
    patience = timedelta(seconds=settings.passback_claim_seconds)
    grace = timedelta(seconds=settings.passback_unclaimed_grace_seconds)
    with transaction(rt.session_factory) as session:
        ids = service.due_for_sweep(session, now=utcnow(), claim_timeout=patience, grace=grace)
    return sum(1 for outbox_id in ids if enqueue(outbox_id))


def enqueue(outbox_id: int) -> bool:
    """Queue one delivery now; False (and a log line) when the broker cannot be reached.

    With workers over Redis the id goes to the score pump's list (grading/passback/pump.py);
    in-process (the embedded default) and on any other broker, to the task itself."""
    broker = str(celery_app.conf.broker_url or "")
    if not celery_app.conf.task_always_eager and pump.runs_on(broker):
        return pump.push(broker, outbox_id)
    try:
        deliver_score.delay(outbox_id=outbox_id)
    except Exception:  # the row stays pending: the sweep will queue it
        log.warning("could not queue score %s; the sweep will retry", outbox_id, exc_info=True)
        return False
    return True


def deliver_later(outbox_id: int, seconds: float) -> None:
    """A later try of one row, as the task's own retry would queue it."""
    deliver_score.apply_async(kwargs={"outbox_id": outbox_id}, countdown=seconds)


outbox.register(CHANNEL, enqueue)

"""Hand outbox rows to Celery only after the transaction that wrote them has committed.

A task queued before the commit could run before the row exists; a task queued after a
rollback would report a decision that never happened. If the broker is down the row simply
stays pending and the periodic sweep queues it later.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING_KEY = "microbridge.passback.pending"


def after_commit(session: Session, outbox_id: int) -> None:
    """Queue delivery of this row once ``session`` commits."""
    pending: list[int] = session.info.setdefault(_PENDING_KEY, [])
    if outbox_id not in pending:
        pending.append(outbox_id)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    # after_commit also fires when a savepoint (begin_nested) is released; the rows are not
    # visible to a worker until the outermost transaction commits.
    if session.in_nested_transaction():
        return
    ids: list[int] = session.info.pop(_PENDING_KEY, [])
    for outbox_id in ids:
        enqueue(outbox_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING_KEY, None)


def enqueue(outbox_id: int) -> bool:
    """Queue one delivery now; False (and a log line) when the broker cannot be reached."""
    from grading.passback.tasks import deliver_score

    try:
        deliver_score.delay(outbox_id=outbox_id)
    except Exception:  # the row stays pending: the sweep will queue it
        log.warning("could not queue score %s; the sweep will retry", outbox_id, exc_info=True)
        return False
    return True

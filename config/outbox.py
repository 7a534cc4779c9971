"""Hand outbox rows to their workers only after the transaction that wrote them has committed.

A row (an email, a score) is written in the caller's transaction; queuing its delivery before
the commit could let a worker look before the row exists, and queuing it after a rollback
would report something that never happened. So writers call ``queue_after_commit`` and the
outermost commit hands each id to the ``enqueue`` its channel registered. If that fails (the
broker is down) the row simply stays pending: every channel has a sweep that finds it. The
first failure stops the rest of that commit's ids (each would only wait on the same dead
broker); ``not_queued`` tells the caller how many were left to the sweep.

In the embedded default (tasks in-process) the ids go to the runtime's background queue
instead, so a request never waits on the delivery it caused (config/background.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from sqlalchemy import event
from sqlalchemy.orm import Session

from config import runtime

log = logging.getLogger(__name__)

Enqueue = Callable[[int], object]
"""Queue delivery of one row by id; must not raise when the broker is down, and returns
``False`` then (anything else counts as queued)."""

_SESSION_KEY = "microbridge.outbox.pending"
_NOT_QUEUED_KEY = "microbridge.outbox.not_queued"
_channels: dict[str, Enqueue] = {}


def register(channel: str, enqueue: Enqueue) -> None:
    """Say how rows of ``channel`` are queued (done once, where the channel's task lives)."""
    _channels[channel] = enqueue


def queue_after_commit(session: Session, channel: str, row_id: int) -> None:
    """Queue delivery of this row once ``session``'s outermost transaction commits."""
    pending: dict[str, list[int]] = session.info.setdefault(_SESSION_KEY, {})
    ids = pending.setdefault(channel, [])
    if row_id not in ids:
        ids.append(row_id)


def pending(session: Session) -> dict[str, list[int]]:
    """What this session will queue when it commits, per channel."""
    found: dict[str, list[int]] = session.info.get(_SESSION_KEY, {})
    return {channel: list(ids) for channel, ids in found.items()}


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    # after_commit also fires when a savepoint (begin_nested) is released; the rows are not
    # visible to a worker until the outermost transaction commits.
    if session.in_nested_transaction():
        return
    queued: dict[str, list[int]] = session.info.pop(_SESSION_KEY, {})
    rt = _runtime_or_none()
    background = rt.background if rt is not None else None
    left = 0
    for channel, ids in queued.items():
        enqueue = _channels.get(channel)
        if enqueue is None:
            log.warning("nothing queues %s rows in this process; the sweep will find %s",
                        channel, ids)
            continue
        for row_id in ids:
            if left:
                left += 1
            elif background is not None and rt is not None:
                background.submit(partial(_in_runtime, rt, enqueue, row_id))
            elif enqueue(row_id) is False:
                left = 1
    if left:
        log.warning("the task queue is unreachable: %s rows left for the sweep", left)
        session.info[_NOT_QUEUED_KEY] = left


def not_queued(session: Session) -> int:
    """How many rows the last commit could not queue (the broker was down); they stay pending
    and the sweep queues them when it is back. Reading it clears it."""
    count: int = session.info.pop(_NOT_QUEUED_KEY, 0)
    return count


def _runtime_or_none() -> runtime.Runtime | None:
    try:
        return runtime.current()
    except RuntimeError:  # a session used outside any app or bound runtime
        return None


def _in_runtime(rt: runtime.Runtime, enqueue: Enqueue, row_id: int) -> None:
    with runtime.bound(rt):
        enqueue(row_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: object) -> None:
    # Only the outermost rollback drops the queue; the rows are gone with it.
    if not session.in_transaction():
        session.info.pop(_SESSION_KEY, None)

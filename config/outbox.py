"""Hand outbox rows to their workers only after the transaction that wrote them has committed.

A row (an email, a score) is written in the caller's transaction; queuing its delivery before
the commit could let a worker look before the row exists, and queuing it after a rollback
would report something that never happened. So writers call ``queue_after_commit`` and the
outermost commit hands each id to the ``enqueue`` its channel registered. If that fails (the
broker is down) the row simply stays pending: every channel has a sweep that finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Enqueue = Callable[[int], object]
"""Queue delivery of one row by id; must not raise when the broker is down."""

_SESSION_KEY = "microbridge.outbox.pending"
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
    for channel, ids in queued.items():
        enqueue = _channels.get(channel)
        if enqueue is None:
            log.warning("nothing queues %s rows in this process; the sweep will find %s",
                        channel, ids)
            continue
        for row_id in ids:
            enqueue(row_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: object) -> None:
    # Only the outermost rollback drops the queue; the rows are gone with it.
    if not session.in_transaction():
        session.info.pop(_SESSION_KEY, None)

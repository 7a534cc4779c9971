"""Outbox rows are queued only after the outermost commit: never for a savepoint, never after
a rollback (a worker must find the row it is given). Mail and grade passback share this."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from config import outbox

CHANNEL = "tests.outbox"


@pytest.fixture
def queued() -> list[int]:
    calls: list[int] = []
    outbox.register(CHANNEL, calls.append)
    return calls


def test_a_released_savepoint_queues_nothing_yet(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, CHANNEL, 41)
    with db.begin_nested():
        db.execute(text("SELECT 1"))
    assert queued == []
    db.commit()
    assert queued == [41]


def test_a_rolled_back_savepoint_keeps_the_queue(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, CHANNEL, 42)
    nested = db.begin_nested()
    nested.rollback()
    db.commit()
    assert queued == [42]


def test_a_rollback_forgets_the_queue(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, CHANNEL, 43)
    db.rollback()
    db.execute(text("SELECT 1"))
    db.commit()
    assert queued == []
    assert outbox.pending(db) == {}


def test_one_row_is_queued_once_per_commit(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, CHANNEL, 44)
    outbox.queue_after_commit(db, CHANNEL, 44)
    db.commit()
    assert queued == [44]


def test_a_channel_nobody_registered_is_left_to_its_sweep(db: Session) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, "tests.nobody", 45)
    db.commit()  # logged, not raised: the row waits for the sweep
    assert outbox.pending(db) == {}

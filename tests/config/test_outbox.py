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


def test_the_first_broker_failure_leaves_the_rest_of_the_commit_to_the_sweep(db: Session) -> None:
    # Each try on a dead broker waits on it: one failure is enough to know.
    tried: list[int] = []

    def broker_down(row_id: int) -> bool:
        tried.append(row_id)
        return False

    outbox.register(CHANNEL, broker_down)
    db.execute(text("SELECT 1"))
    for row_id in (51, 52, 53, 54):
        outbox.queue_after_commit(db, CHANNEL, row_id)
    db.commit()
    assert tried == [51]
    assert outbox.not_queued(db) == 4
    assert outbox.not_queued(db) == 0  # read once


def test_a_commit_whose_rows_were_all_queued_leaves_nothing_behind(
    db: Session, queued: list[int]
) -> None:
    db.execute(text("SELECT 1"))
    outbox.queue_after_commit(db, CHANNEL, 61)
    db.commit()
    assert queued == [61] and outbox.not_queued(db) == 0

"""Delivery is queued only after the outermost commit: never for a savepoint, never after a
rollback (a worker must find the row it is given)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from grading.passback import dispatch


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda outbox_id: calls.append(outbox_id) or True)
    return calls


def test_a_released_savepoint_queues_nothing_yet(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    dispatch.after_commit(db, 41)
    with db.begin_nested():
        db.execute(text("SELECT 1"))
    assert queued == []
    db.commit()
    assert queued == [41]


def test_a_rolled_back_savepoint_keeps_the_queue(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    dispatch.after_commit(db, 42)
    nested = db.begin_nested()
    nested.rollback()
    db.commit()
    assert queued == [42]


def test_a_rollback_forgets_the_queue(db: Session, queued: list[int]) -> None:
    db.execute(text("SELECT 1"))
    dispatch.after_commit(db, 43)
    db.rollback()
    db.execute(text("SELECT 1"))
    db.commit()
    assert queued == []

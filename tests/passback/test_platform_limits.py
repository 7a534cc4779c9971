"""One LMS cannot take every delivery slot, and the sweep picks up a lost message soon."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config import outbox, runtime
from config.database import utcnow
from config.settings import Settings
from grading.passback import gateway, service, tasks
from grading.passback.delivery import DeliveryOutcome, deliver_row
from grading.passback.models import CHANNEL, OutboxState, ScoreOutbox
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade
from tests.support.live import live_tool
from tests.support.lms import install_tool, running_platform
from tests.work.factories import person_row, place


def _states(db: Session) -> dict[int, str]:
    db.expire_all()
    return {row.id: row.state for row in db.scalars(select(ScoreOutbox))}


def test_a_platform_with_every_slot_taken_does_not_hold_up_another(
    app: Flask, db: Session, settings: Settings
) -> None:
    own = settings.with_overrides(passback_per_platform=1)
    with running_platform("canvas") as busy_lms, running_platform("moodle") as other_lms, \
            live_tool(own) as live:
        busy = install_tool(db, busy_lms, tool_base=live.base_url, institution="Busy College")
        other = install_tool(db, other_lms, tool_base=live.base_url, institution="Other College")
        busy_placed, other_placed = place(db, busy), place(db, other)
        busy_student = person_row(db, busy, busy.student)
        other_student = person_row(db, other, other.student)
        store = runtime.current().store
        # Another worker is in the middle of a slow post to the busy LMS: its one slot is taken.
        with gateway.platform_slot(store, busy.row_id, limit=1, hold_seconds=60) as took:
            assert took
            waiting = release_grade(db, busy_placed.placement, busy_student, 40)
            moved = release_grade(db, other_placed.placement, other_student, 50)
            assert _states(db) == {waiting.id: "pending", moved.id: "sent"}
            assert deliver_row(waiting.id).outcome == DeliveryOutcome.BUSY
            db.expire_all()
            untouched = db.get(ScoreOutbox, waiting.id)
            assert untouched is not None and untouched.attempts == 0  # no try used up
            assert busy_lms.score_posts(str(busy_placed.link.line_item_id)) == []
        assert deliver_row(waiting.id).outcome == DeliveryOutcome.SENT
        assert len(busy_lms.score_posts(str(busy_placed.link.line_item_id))) == 1


def test_a_slot_comes_back_when_its_holder_died(app: Flask, db: Session) -> None:
    store = runtime.current().store
    with gateway.platform_slot(store, 999, limit=1, hold_seconds=1) as took:
        assert took
        with gateway.platform_slot(store, 999, limit=1, hold_seconds=1) as second:
            assert not second
    store.put("passback-slot:999:0", "a dead worker", 1)  # held by nobody alive; it expires
    with gateway.platform_slot(store, 999, limit=1, hold_seconds=1) as taken:
        assert not taken
    time.sleep(2.1)
    with gateway.platform_slot(store, 999, limit=1, hold_seconds=1) as later:
        assert later


def test_the_sweep_queues_a_lost_message_after_a_short_grace_once(
    world: Gradebook, db: Session, settings: Settings
) -> None:
    calls: list[int] = []
    outbox.register(CHANNEL, calls.append)  # the message is lost on its way to the broker
    try:
        row = release_grade(db, world.placed.placement, world.student, 55)
    finally:
        outbox.register(CHANNEL, tasks.enqueue)
    grace = settings.passback_unclaimed_grace_seconds
    assert grace < 60 and calls == [row.id]
    now = utcnow()
    db.execute(update(ScoreOutbox).values(created_at=now - timedelta(seconds=grace + 1)))
    db.commit()

    due = service.due_for_sweep(db, now=now, claim_timeout=timedelta(minutes=2),
                                grace=timedelta(seconds=grace))
    db.commit()
    assert due == [row.id]
    again = service.due_for_sweep(db, now=now + timedelta(seconds=30),
                                  claim_timeout=timedelta(minutes=2), grace=timedelta(seconds=grace))
    assert again == []  # queued moments ago: its message is still on its way
    db.rollback()
    db.execute(update(ScoreOutbox).values(swept_at=None))
    db.commit()

    assert tasks.sweep() == 1
    assert _states(db) == {row.id: OutboxState.SENT.value}

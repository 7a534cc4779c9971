"""Exactly once in the LMS when the LMS's answer is lost, and giving up by time, not by count.

The emulated LMS applies the score and then times out or answers 502/504 (a gateway in front
of a busy LMS): the tool cannot know whether its score landed, reads the learner's result,
and never applies it twice. What the LMS holds is read back over HTTP (``/gradebook.json``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import update
from sqlalchemy.orm import Session

from config.database import utcnow
from config.settings import Settings
from grading.passback.delivery import ALREADY_THERE, DeliveryOutcome, backoff_seconds, deliver_row
from grading.passback.models import OutboxState, ScoreOutbox
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(passback_timeout_seconds=1)


def _row(db: Session, row_id: int) -> ScoreOutbox:
    db.expire_all()
    row = db.get(ScoreOutbox, row_id)
    assert row is not None
    return row


def _due_now(db: Session, **values: Any) -> None:
    db.execute(update(ScoreOutbox).values(next_attempt_at=None, **values))
    db.commit()


def _held(world: Gradebook) -> dict[str, Any]:
    """The learner's result as the LMS holds it, read over HTTP."""
    rows = requests.get(world.lms.base_url + "/gradebook.json", timeout=5).json()
    [held] = [r for r in rows if r["lineItem"] == world.item
              and r["userId"] == world.installed.student.user_id]
    return dict(held)


@pytest.mark.parametrize("answer", ["timeout", "502", "504"])
def test_a_score_the_lms_applied_before_its_answer_was_lost_lands_once(
    world: Gradebook, db: Session, answer: str
) -> None:
    if answer == "timeout":  # the LMS answers after the tool's 1 s read timeout
        world.lms.faults.applied_then_failed("/scores", status=200, delay_seconds=1.6)
    else:
        world.lms.faults.applied_then_failed("/scores", status=int(answer))
    row = release_grade(db, world.placed.placement, world.student, 80, comment="Clear and useful")

    waiting = _row(db, row.id)
    assert waiting.state == OutboxState.PENDING and waiting.outcome_unknown
    _due_now(db)
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT

    sent = _row(db, row.id)
    assert sent.note == ALREADY_THERE and not sent.outcome_unknown
    assert sent.timestamp == row.timestamp and not sent.restamped
    held = _held(world)
    assert held["applications"] == 1 and held["score"] == 80
    assert held["comments"] == ["Clear and useful"]  # Canvas would have stored it twice


@pytest.mark.parametrize("flavour", ["moodle"])
def test_moodle_409_for_a_timestamp_it_already_holds_means_delivered(
    world: Gradebook, db: Session
) -> None:
    # A grade of 0: Moodle's results show neither score nor time for it (PHP's empty()), so
    # only its 409 to the same timestamp can say the score is there.
    world.lms.faults.applied_then_failed("/scores", status=502)
    row = release_grade(db, world.placed.placement, world.student, 0, comment="Not submitted")
    _due_now(db)

    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT
    sent = _row(db, row.id)
    assert sent.last_status == 409 and sent.note == ALREADY_THERE
    assert sent.timestamp == row.timestamp and not sent.restamped  # never re-timestamped
    assert _held(world)["applications"] == 1
    statuses = [p.status for p in world.lms.score_posts(world.item, accepted_only=False)]
    assert statuses == [200, 409]


def test_an_unknown_outcome_waits_while_the_lms_cannot_be_read(world: Gradebook, db: Session) -> None:
    world.lms.faults.applied_then_failed("/scores", status=504)
    row = release_grade(db, world.placed.placement, world.student, 70)
    world.lms.faults.add("GET", "/results", 503, times=1)
    _due_now(db)

    assert deliver_row(row.id).outcome == DeliveryOutcome.WAITING  # nothing posted blind
    assert _row(db, row.id).outcome_unknown
    _due_now(db)
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT
    assert _held(world)["applications"] == 1


def test_an_unknown_outcome_is_not_forced_over_a_newer_entry(world: Gradebook, db: Session) -> None:
    world.lms.faults.applied_then_failed("/scores", status=502)
    row = release_grade(db, world.placed.placement, world.student, 65)
    result = world.lms.result(world.item, world.installed.student)
    assert result is not None
    result.timestamp += timedelta(hours=1)  # a teacher then graded in the LMS itself
    result.score = 90
    _due_now(db)

    assert deliver_row(row.id).outcome == DeliveryOutcome.FAILED
    failed = _row(db, row.id)
    assert "newer entry" in failed.last_error and not failed.restamped
    assert failed.timestamp == row.timestamp
    held = _held(world)
    assert held["applications"] == 1 and held["score"] == 90


def test_a_score_that_never_arrived_is_posted_again_with_its_timestamp(
    world: Gradebook, db: Session
) -> None:
    world.lms.faults.add("POST", "/scores", 502, body="Bad Gateway", times=1)  # not applied
    row = release_grade(db, world.placed.placement, world.student, 55)
    assert _row(db, row.id).outcome_unknown
    _due_now(db)

    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT
    [post] = world.lms.score_posts(world.item, world.installed.student)
    assert post.body["timestamp"] == row.timestamp.isoformat()
    assert _held(world)["applications"] == 1


def test_grades_are_given_up_by_time_since_the_first_try_not_by_count(
    world: Gradebook, db: Session, settings: Settings
) -> None:
    world.lms.faults.add("POST", "/scores", 503, body="Service Unavailable", times=None)
    row = release_grade(db, world.placed.placement, world.student, 42)
    first_try = _row(db, row.id).first_attempt_at
    assert first_try is not None

    _due_now(db, attempts=200)  # many tries, a day in: keep trying
    assert deliver_row(row.id).outcome == DeliveryOutcome.WAITING
    assert _row(db, row.id).first_attempt_at == first_try

    hours = settings.passback_give_up_hours
    _due_now(db, first_attempt_at=utcnow() - timedelta(hours=hours, minutes=1))
    assert deliver_row(row.id).outcome == DeliveryOutcome.DEAD
    assert f"{hours} h after the first try" in _row(db, row.id).last_error
    # Backoff grows, but never past half an hour between tries.
    assert max(backoff_seconds(n, base=10, retry_after=None) for n in range(1, 400)) <= 1800

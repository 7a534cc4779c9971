"""A grade waits, never fails, while the LMS will not give us an access token.

The LMS's token endpoint answers 400 invalid_grant when it cannot fetch our key set (our web
tier busy or restarting), 5xx when it is in trouble itself, or nothing in time: none of that
says anything about the score, so the row waits for its next try and then arrives, once.
Only what the LMS answers about the score itself refuses it (test_delivery.py).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from grading.passback.delivery import DeliveryOutcome, deliver_row
from grading.passback.models import OutboxState, ScoreOutbox
from grading.submissions.models import Submission
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade

INVALID_GRANT = json.dumps({
    "error": "invalid_grant",
    "error_description": "the tool's key set could not be fetched",
})


def _row(db: Session, row_id: int) -> ScoreOutbox:
    db.expire_all()
    row = db.get(ScoreOutbox, row_id)
    assert row is not None
    return row


def _due_now(db: Session) -> None:
    db.execute(ScoreOutbox.__table__.update().values(next_attempt_at=None))
    db.commit()


@pytest.mark.parametrize(("status", "body"), [
    (400, INVALID_GRANT), (401, INVALID_GRANT), (503, "Service Unavailable"),
])
def test_a_failed_token_renewal_waits_and_then_delivers_once(
    world: Gradebook, db: Session, status: int, body: str
) -> None:
    world.lms.faults.add("POST", "token", status, body=body, times=2,
                         headers={"Content-Type": "application/json"})
    row = release_grade(db, world.placed.placement, world.student, 77)

    waiting = _row(db, row.id)
    assert waiting.state == OutboxState.PENDING and waiting.next_attempt_at is not None
    assert "access token" in waiting.last_error and str(status) in waiting.last_error
    assert waiting.state_label != "Refused by the LMS"
    _due_now(db)
    assert deliver_row(row.id).outcome == DeliveryOutcome.WAITING  # the second refusal
    _due_now(db)
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT

    assert _row(db, row.id).state == OutboxState.SENT
    [post] = world.lms.score_posts(world.item, world.installed.student)
    assert post.body["scoreGiven"] == 77


def test_a_token_answer_without_a_token_waits_too(world: Gradebook, db: Session) -> None:
    world.lms.faults.add("POST", "token", 200, body="<html>maintenance</html>", times=1,
                         headers={"Content-Type": "text/html"})
    row = release_grade(db, world.placed.placement, world.student, 66)

    assert _row(db, row.id).state == OutboxState.PENDING
    _due_now(db)
    assert deliver_row(row.id).outcome == DeliveryOutcome.SENT


def test_a_token_the_lms_forgot_is_renewed_once_and_the_grade_delivered(
    world: Gradebook, db: Session
) -> None:
    first = release_grade(db, world.placed.placement, world.student, 70)
    assert _row(db, first.id).state == OutboxState.SENT
    assert world.lms.stats.tokens_issued == 1

    # The tool still holds the token (in the store, and its connector for a while); the LMS
    # answers 401 to it, so the tool asks for a new one and sends again, once.
    world.lms.expire_tokens()
    second = release_grade(db, world.placed.placement, world.student, 71,
                           submission=db.get(Submission, first.submission_id))

    assert _row(db, second.id).state == OutboxState.SENT
    assert world.lms.stats.tokens_issued == 2
    assert [p.body["scoreGiven"] for p in world.lms.score_posts(world.item, world.installed.student)] \
        == [70, 71]

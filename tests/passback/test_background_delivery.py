"""The embedded default delivers in the background: the commit (the person's request) does not
wait on the LMS, and the grade still arrives, once.

Inside the request, a burst of deliveries held the web workers while the LMS called back into
them for our key set; now the row is handed to the process's background queue after commit.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from config import runtime
from config.settings import Settings
from grading.passback.models import OutboxState, ScoreOutbox
from grading.submissions.models import Submission
from tests.passback.conftest import Gradebook
from tests.passback.helpers import release_grade


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(tasks_background=True)


def test_a_grade_is_delivered_after_the_commit_not_inside_it(world: Gradebook, db: Session) -> None:
    background = runtime.current().background
    assert background is not None
    world.lms.latency_ms = 2000  # a slow LMS: the commit must not wait for it

    first = release_grade(db, world.placed.placement, world.student, 61)
    work = db.get(Submission, first.submission_id)
    rows = [first, release_grade(db, world.placed.placement, world.student, 62, submission=work)]
    assert world.lms.score_posts(world.item, world.installed.student) == []  # not yet

    assert background.wait_idle(timeout=60)
    db.expire_all()
    assert [db.get(ScoreOutbox, row.id).state for row in rows] == [OutboxState.SENT] * 2  # type: ignore[union-attr]
    posts = world.lms.score_posts(world.item, world.installed.student)
    assert [post.body["scoreGiven"] for post in posts] == [61, 62]


def test_tests_and_worker_deployments_deliver_without_the_queue(settings: Settings) -> None:
    assert settings.with_overrides(tasks_background=None).run_tasks_in_background is False
    with_workers = settings.with_overrides(tasks_background=None, testing=False, tasks_eager=False,
                                           redis_url="redis://127.0.0.1:6379/1")
    assert with_workers.run_tasks_in_background is False
    embedded = settings.with_overrides(tasks_background=None, testing=False, redis_url="")
    assert embedded.run_tasks_in_background is True

"""Real Celery workers over Redis deliver every grade once: through 500, 429 and Canvas's
403 rate limit, a Redis outage, and a worker killed in the middle of a task.

Runs in the PostgreSQL + Redis pass (marker ``services``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.passback.models import OutboxState, ScoreOutbox
from grading.people.models import Person
from lti_tool.demo_lms.faults import CANVAS_RATE_LIMIT_BODY
from tests.passback.helpers import release_grade
from tests.passback.workers import celery_worker, throwaway_redis, wait_for
from tests.support.live import LiveTool, live_tool
from tests.support.lms import Installed, install_tool, running_platform
from tests.work.factories import Placed, person_row, place

pytestmark = pytest.mark.services


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        tasks_eager=False, passback_backoff_seconds=1, passback_claim_seconds=3,
        passback_sweep_seconds=1,
    )


class Course:
    """An emulated course with students, the tool live, and a graded placement."""

    def __init__(self, db: Session, lms: object, live: LiveTool, students: int) -> None:
        from lti_tool.demo_lms.platform import Platform

        assert isinstance(lms, Platform)
        self.db, self.lms = db, lms
        self.installed: Installed = install_tool(db, lms, tool_base=live.base_url)
        self.placed: Placed = place(db, self.installed)
        self.users = [self.installed.student]
        for number in range(students - 1):
            user = lms.add_user("Student", f"Number{number}", email=f"s{number}@example.edu")
            lms.enrol(self.installed.course, user, "Learner")
            self.users.append(user)
        self.people: list[Person] = [person_row(db, self.installed, user) for user in self.users]

    @property
    def item(self) -> str:
        return str(self.placed.link.line_item_id)

    def release_all(
        self, scores: list[float], *, first: int = 0, comment: str = "Well done"
    ) -> list[ScoreOutbox]:
        """Release one grade each to students ``first``, ``first + 1``, ..."""
        people = self.people[first:first + len(scores)]
        return [release_grade(self.db, self.placed.placement, person, score, comment=comment)
                for person, score in zip(people, scores, strict=True)]

    def states(self) -> list[str]:
        self.db.expire_all()
        return [row.state for row in self.db.scalars(
            select(ScoreOutbox).where(ScoreOutbox.placement_id == self.placed.placement.id)
            .order_by(ScoreOutbox.id))]

    def wait_delivered(self, count: int, timeout: float = 90) -> None:
        wait_for(lambda: self.states().count(OutboxState.SENT.value) == count, timeout=timeout,
                 message=lambda: f"not all delivered: {self.states()}")

    def assert_each_once(self, scores: list[float]) -> None:
        for user, score in zip(self.users, scores, strict=True):
            result = self.lms.result(self.item, user)
            assert result is not None and result.score == score, user.name
            stamps = {post.body["timestamp"] for post in self.lms.score_posts(self.item, user)}
            assert len(stamps) == 1, f"{user.name} got {len(stamps)} different grades"
            assert len(self.lms.score_posts(self.item, user)) == 1, f"{user.name} posted twice"


@pytest.fixture(params=["canvas", "moodle"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def course(app: object, db: Session, settings: Settings, flavour: str) -> Iterator[tuple[Course, LiveTool]]:
    with running_platform(flavour) as lms, live_tool(settings) as live:
        yield Course(db, lms, live, students=6), live


def test_a_worker_delivers_through_500_429_and_rate_limits(
    course: tuple[Course, LiveTool], settings: Settings, tmp_path: Path
) -> None:
    world, live = course
    faults = world.lms.faults
    errors = faults.add("POST", "/scores", 500, body="Internal Server Error", times=2)
    busy = faults.too_many_requests("/scores", retry_after=1, times=2)
    throttled = faults.rate_limit("/scores", times=2)
    scores = [10, 20, 30, 40, 50, 60]

    with celery_worker(settings.with_overrides(base_url=live.base_url), tmp_path):
        world.release_all(scores)
        world.wait_delivered(len(scores))

    assert (errors.hits, busy.hits, throttled.hits) == (2, 2, 2)
    world.assert_each_once(scores)
    refused = [p for p in world.lms.score_posts(world.item, accepted_only=False) if p.status >= 300]
    assert refused == []  # faults answer before the LMS reads the score: none were refused
    # One access token per scope set, reused by every task: the score scope, and the results
    # scope (a 500 leaves the outcome unknown, so the result is read before posting again).
    assert world.lms.stats.tokens_issued == 2
    assert CANVAS_RATE_LIMIT_BODY  # the 403 body Canvas throttles with


def test_grades_released_while_redis_is_down_arrive_when_it_is_back(
    app: object, db: Session, settings: Settings, flavour: str, tmp_path: Path
) -> None:
    with throwaway_redis() as broker:
        own = settings.with_overrides(redis_url=broker.url)
        with running_platform(flavour) as lms, live_tool(own) as live:
            world = Course(db, lms, live, students=6)
            with celery_worker(own.with_overrides(base_url=live.base_url), tmp_path):
                world.release_all([11, 12, 13])
                world.wait_delivered(3)

                broker.stop()
                rows = world.release_all([14, 15, 16], first=3)  # commits; queuing fails quietly
                assert [row.state for row in rows] == ["pending"] * 3
                broker.start()  # empty: whatever was queued went down with it

                world.wait_delivered(6)  # the beat's sweep finds the pending rows
    world.assert_each_once([11, 12, 13, 14, 15, 16])


def test_a_worker_killed_mid_task_loses_and_duplicates_nothing(
    course: tuple[Course, LiveTool], settings: Settings, tmp_path: Path
) -> None:
    world, live = course
    scores = [71, 72, 73, 74, 75, 76]
    world.lms.latency_ms = 2500  # every AGS call takes a while: the kill lands mid-request
    own = settings.with_overrides(base_url=live.base_url)

    asked = world.lms.stats.service_requests
    with celery_worker(own, tmp_path) as first:
        world.release_all(scores)
        wait_for(lambda: OutboxState.SENDING.value in world.states(), timeout=30)
        # Past the token request, into the slow score POST: the LMS counts a service request
        # as it arrives, before its latency.
        wait_for(lambda: world.lms.stats.service_requests > asked, timeout=30,
                 message=lambda: "no score POST reached the LMS")
        first.kill()
    world.lms.latency_ms = 0
    stuck = world.states()
    assert OutboxState.SENDING.value in stuck

    with celery_worker(own, tmp_path):
        world.wait_delivered(len(scores))
    world.assert_each_once(scores)
    # The killed request still reached the LMS: the new worker saw that in its results and
    # did not post the grade a second time.
    notes = [row.note for row in world.db.scalars(select(ScoreOutbox))]
    assert any("already had this score" in note for note in notes), notes

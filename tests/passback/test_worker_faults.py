"""Real Celery workers when the LMS misbehaves: it applies scores and then times out or
answers 502 (each score still lands once), and one LMS is slow (the others' grades do not
wait behind it).

Runs in the PostgreSQL + Redis pass (marker ``services``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.passback.models import OutboxState, ScoreOutbox
from tests.passback.test_workers import Course
from tests.passback.workers import celery_worker, wait_for
from tests.support.live import LiveTool, live_tool
from tests.support.lms import running_platform

pytestmark = pytest.mark.services


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        tasks_eager=False, passback_backoff_seconds=1, passback_claim_seconds=10,
        passback_sweep_seconds=1, passback_timeout_seconds=1,
    )


@pytest.fixture(params=["canvas", "moodle"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def course(app: object, db: Session, settings: Settings, flavour: str) -> Iterator[tuple[Course, LiveTool]]:
    with running_platform(flavour) as lms, live_tool(settings) as live:
        yield Course(db, lms, live, students=6), live


def test_scores_the_lms_applied_before_timing_out_or_a_502_land_once(
    course: tuple[Course, LiveTool], settings: Settings, tmp_path: Path
) -> None:
    world, live = course
    faults = world.lms.faults
    # Applied, then the answer comes after the worker's 1 s read timeout, or a gateway's 502.
    late = faults.applied_then_failed("/scores", status=200, delay_seconds=1.5, times=2)
    gateway = faults.applied_then_failed("/scores", status=502, times=2)
    scores = [21, 22, 23, 24, 25, 26]

    with celery_worker(settings.with_overrides(base_url=live.base_url), tmp_path):
        world.release_all(scores, comment="Reviewed by the employer")
        world.wait_delivered(len(scores), timeout=60)

    assert (late.hits, gateway.hits) == (2, 2)
    held = requests.get(world.lms.base_url + "/gradebook.json", timeout=5).json()
    assert len(held) == len(scores)
    for result in held:
        assert result["applications"] == 1, result
        assert result["comments"] == ["Reviewed by the employer"], result
    rows = list(world.db.scalars(select(ScoreOutbox)))
    assert sum("already had this score" in row.note for row in rows) == 4
    assert not any(row.restamped for row in rows)


def test_a_slow_lms_does_not_hold_up_another_lms(
    app: object, db: Session, settings: Settings, tmp_path: Path
) -> None:
    own = settings.with_overrides(passback_per_platform=1, passback_timeout_seconds=10)
    with running_platform("canvas") as slow_lms, running_platform("moodle") as quick_lms, \
            live_tool(own) as live:
        slow = Course(db, slow_lms, live, students=6)
        quick = Course(db, quick_lms, live, students=3)
        slow_lms.latency_ms = 3000
        with celery_worker(own.with_overrides(base_url=live.base_url), tmp_path, concurrency=2):
            slow.release_all([31, 32, 33, 34, 35, 36])
            wait_for(lambda: OutboxState.SENDING.value in slow.states(), timeout=30)
            released = time.monotonic()
            quick_rows = quick.release_all([41, 42, 43])
            ids = {row.id for row in quick_rows}
            wait_for(lambda: _sent(db, ids) == len(ids), timeout=30)
            quick_wait = time.monotonic() - released
            # Two processes and six 3 s posts ahead of them: without a per-LMS limit the quick
            # LMS's grades would wait about 9 s.
            assert quick_wait < 6, f"the quick LMS's grades waited {quick_wait:.1f}s"
            wait_for(lambda: _sent(db, None) == 9, timeout=90,
                     message=lambda: f"slow LMS not drained: {slow.states()}")
        quick.assert_each_once([41, 42, 43])
        slow.assert_each_once([31, 32, 33, 34, 35, 36])


def _sent(db: Session, ids: set[int] | None) -> int:
    db.expire_all()
    rows = db.scalars(select(ScoreOutbox).where(ScoreOutbox.state == OutboxState.SENT.value))
    return sum(1 for row in rows if ids is None or row.id in ids)

"""The score pump: first tries of grade delivery taken from a Redis list by the worker.

- scores released while no worker runs wait in Redis, and arrive once when one starts (no
  sweep runs: the list, not the sweep, brings them);
- the pump takes only as many ids as it has free threads, so ids it cannot start yet stay
  in Redis for another worker (or for it, later), not in a process that may die;
- a try that must wait, or that fails, is queued again for later; the pump goes on;
- stopping lets the deliveries under way finish.

Runs in the PostgreSQL + Redis pass (marker ``services``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session

from config import runtime
from config.settings import Settings
from grading.passback import delivery, pump
from grading.passback.delivery import DeliveryOutcome, Tried
from tests.passback.test_workers import Course
from tests.passback.workers import celery_worker, wait_for
from tests.support.live import live_tool
from tests.support.lms import running_platform

pytestmark = pytest.mark.services


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(tasks_eager=False, passback_backoff_seconds=1,
                                   passback_claim_seconds=3, passback_sweep_seconds=1)


@pytest.fixture
def due(settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.redis_url)
    client.delete(pump.DUE_KEY)
    yield client
    client.delete(pump.DUE_KEY)


def test_scores_released_with_no_worker_wait_in_redis_and_arrive_once_one_starts(
    app: object, db: Session, settings: Settings, due: redis.Redis, tmp_path: Path
) -> None:
    with running_platform("canvas") as lms, live_tool(settings) as live:
        world = Course(db, lms, live, students=4)
        rows = world.release_all([61, 62, 63, 64])
        assert world.states() == ["pending"] * 4
        assert sorted(int(i) for i in due.lrange(pump.DUE_KEY, 0, -1)) == [r.id for r in rows]

        # No beat, so no sweep: only the list can bring these rows to the worker.
        with celery_worker(settings.with_overrides(base_url=live.base_url), tmp_path, beat=False,
                           concurrency=2):
            world.wait_delivered(4, timeout=60)
        assert due.llen(pump.DUE_KEY) == 0
    world.assert_each_once([61, 62, 63, 64])


class Deliveries:
    """Stands in for ``deliver_row``: each try waits until the test lets it finish."""

    def __init__(self, answer: Tried | Exception) -> None:
        self.answer = answer
        self.started: list[int] = []
        self.finished: list[int] = []
        self.go = threading.Event()

    def __call__(self, outbox_id: int, **_kwargs: object) -> Tried:
        self.started.append(outbox_id)
        self.go.wait(timeout=30)
        self.finished.append(outbox_id)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def running_pump(
    app: object, settings: Settings, monkeypatch: pytest.MonkeyPatch, deliveries: Deliveries,
    scheduled: list[tuple[int, float]], threads: int,
) -> pump.ScorePump:
    monkeypatch.setattr(delivery, "deliver_row", deliveries)
    rt = runtime.of_app(app)  # type: ignore[arg-type]
    running = pump.ScorePump(rt, redis_url=settings.redis_url, threads=threads,
                             schedule=lambda row_id, seconds: scheduled.append((row_id, seconds)))
    running.start()
    return running


def test_the_pump_takes_no_more_ids_than_it_has_free_threads(
    app: object, settings: Settings, due: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries = Deliveries(Tried(DeliveryOutcome.SENT))
    running = running_pump(app, settings, monkeypatch, deliveries, [], threads=2)
    try:
        for outbox_id in range(101, 106):
            assert pump.push(settings.redis_url, outbox_id)
        wait_for(lambda: len(deliveries.started) == 2, timeout=10)
        # Both threads are busy: the other three stay in Redis.
        assert [int(i) for i in due.lrange(pump.DUE_KEY, 0, -1)] == [103, 104, 105]
        deliveries.go.set()
        wait_for(lambda: len(deliveries.started) == 5, timeout=10)
        assert due.llen(pump.DUE_KEY) == 0
        assert sorted(deliveries.started) == [101, 102, 103, 104, 105]
    finally:
        deliveries.go.set()
        running.stop()


@pytest.mark.parametrize(("answer", "delay"), [
    (Tried(DeliveryOutcome.WAITING, retry_in=7.5), (7.5, 7.5)),  # the LMS was unavailable
    (RuntimeError("database went away"), (2.0, 6.0)),  # a try that failed outright
])
def test_a_try_that_must_wait_or_fails_is_queued_again_and_the_pump_goes_on(
    app: object, settings: Settings, due: redis.Redis, monkeypatch: pytest.MonkeyPatch,
    answer: Tried | Exception, delay: tuple[float, float],
) -> None:
    deliveries = Deliveries(answer)
    deliveries.go.set()
    scheduled: list[tuple[int, float]] = []
    running = running_pump(app, settings, monkeypatch, deliveries, scheduled, threads=1)
    try:
        pump.push(settings.redis_url, 201)
        wait_for(lambda: len(scheduled) == 1, timeout=10)
        pump.push(settings.redis_url, 202)
        wait_for(lambda: len(scheduled) == 2, timeout=10)
    finally:
        running.stop()
    assert [row_id for row_id, _ in scheduled] == [201, 202]
    assert all(delay[0] <= seconds <= delay[1] for _, seconds in scheduled)


def test_stopping_lets_the_deliveries_under_way_finish(
    app: object, settings: Settings, due: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries = Deliveries(Tried(DeliveryOutcome.SENT))
    running = running_pump(app, settings, monkeypatch, deliveries, [], threads=1)
    pump.push(settings.redis_url, 301)
    wait_for(lambda: deliveries.started == [301], timeout=10)
    threading.Timer(0.5, deliveries.go.set).start()
    running.stop()  # returns only once 301 is done
    assert deliveries.finished == [301]

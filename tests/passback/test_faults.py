"""Faults under real Celery workers: every grade still arrives, once.

- the LMS's token endpoint refuses to renew the access token for a while (400 invalid_grant,
  as when it cannot fetch our key set): grades wait, then all arrive;
- Redis is killed and restarted empty while a worker with 4 tasks in flight is busy, twice: the worker
  survives (were it to exit, the test restarts it as its supervisor would, to still check
  the grades, and then fails) and answers ``worker-ping`` afterwards.

Runs in the PostgreSQL + Redis pass (marker ``services``); the Redis that is restarted is a
private one (tests/passback/workers.py), never the shared server. Drain times are recorded as
``drain_seconds`` (``pytest -rA`` or ``--junitxml`` show them) and printed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.passback.models import OutboxState
from lti_tool.cli import main
from lti_tool.worker_health import ping
from tests.passback.test_workers import Course
from tests.passback.workers import Worker, start_worker, throwaway_redis, wait_for
from tests.support.live import live_tool
from tests.support.lms import running_platform

pytestmark = pytest.mark.services

INVALID_GRANT = json.dumps({"error": "invalid_grant",
                            "error_description": "the tool's key set could not be fetched"})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        tasks_eager=False, passback_backoff_seconds=1, passback_claim_seconds=3,
        passback_sweep_seconds=1,
    )


@pytest.fixture(params=["canvas", "moodle"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Supervisor:
    """What systemd's Restart=always does for ``microbridge worker``: start it again if it exits."""

    def __init__(self, settings: Settings, tmp: Path, *, concurrency: int = 2) -> None:
        self.settings, self.tmp, self.concurrency = settings, tmp, concurrency
        self.worker: Worker = start_worker(settings, tmp, concurrency=concurrency)
        self.exits: list[int | None] = []
        self.last_words = ""

    def check(self) -> None:
        if self.worker.process.poll() is not None:
            self.exits.append(self.worker.process.returncode)
            self.last_words = self.worker.output()[-4000:]
            self.worker = start_worker(self.settings, self.tmp, concurrency=self.concurrency)

    def wait_delivered(self, world: Course, count: int, timeout: float = 120) -> None:
        def delivered() -> bool:
            self.check()
            return world.states().count(OutboxState.SENT.value) == count

        wait_for(delivered, timeout=timeout, message=lambda: f"not all delivered: {world.states()}")

    def stop(self) -> None:
        self.worker.stop()


def test_grades_arrive_after_the_token_endpoint_failed_for_a_while(
    app: object, db: Session, settings: Settings, flavour: str, tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    with running_platform(flavour) as lms, live_tool(settings) as live:
        world = Course(db, lms, live, students=8)
        supervisor = Supervisor(settings.with_overrides(base_url=live.base_url), tmp_path)
        try:
            world.release_all([10, 20])
            world.wait_delivered(2)  # an access token is issued and kept
            lms.expire_tokens()  # the LMS forgets it: the next score needs a renewal
            broke = time.monotonic()
            refusing = lms.faults.add("POST", "token", 400, body=INVALID_GRANT, times=None,
                                      headers={"Content-Type": "application/json"})
            world.release_all([30, 40, 50, 60, 70, 80], first=2)
            wait_for(lambda: refusing.hits >= 12, timeout=90,
                     message=lambda: f"the token endpoint was asked {refusing.hits} times")
            assert OutboxState.FAILED.value not in world.states()
            lms.faults.clear()
            healed = time.monotonic()
            supervisor.wait_delivered(world, 8)
            drain = time.monotonic() - healed
        finally:
            supervisor.stop()
    world.assert_each_once([10, 20, 30, 40, 50, 60, 70, 80])
    record_property("drain_seconds", round(drain, 1))
    print(f"\n[{flavour}] token endpoint refused {refusing.hits} renewals over "
          f"{healed - broke:.1f} s; once back, all grades in {drain:.1f} s")


def test_redis_restarted_empty_under_a_busy_worker_loses_and_duplicates_nothing(
    app: object, db: Session, settings: Settings, flavour: str, tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    scores = [float(50 + n) for n in range(12)]
    with throwaway_redis() as broker:
        own = settings.with_overrides(redis_url=broker.url)
        with running_platform(flavour) as lms, live_tool(own) as live:
            world = Course(db, lms, live, students=12)
            lms.latency_ms = 400  # every AGS call takes a while: the restarts land mid-task
            # Four tasks in flight hold unacknowledged messages when Redis dies: the shape that made
            # kombu kill the worker (config/broker_fixes.py).
            supervisor = Supervisor(own.with_overrides(base_url=live.base_url), tmp_path,
                                    concurrency=4)
            drains: list[float] = []
            try:
                for cycle, first in enumerate((0, 6)):
                    world.release_all(scores[first:first + 6], first=first)
                    wait_for(lambda: OutboxState.SENDING.value in world.states(), timeout=30)
                    broker.stop()  # killed: everything queued in it is gone
                    time.sleep(2)
                    broker.start()  # empty
                    back = time.monotonic()
                    supervisor.wait_delivered(world, first + 6)
                    drains.append(time.monotonic() - back)
                alive, words = ping(own, node=supervisor.worker.name, timeout=10)
            finally:
                supervisor.stop()
    world.assert_each_once(scores)
    assert alive, words
    # Restarted by the test, the grades arrived anyway; but the worker itself should survive.
    assert supervisor.exits == [], supervisor.last_words
    record_property("drain_seconds", [round(d, 1) for d in drains])
    record_property("worker_exits", supervisor.exits)
    print(f"\n[{flavour}] Redis back: grades drained in {', '.join(f'{d:.1f}' for d in drains)} s; "
          f"worker exits (restarted by the test's supervisor): {supervisor.exits}")


def test_worker_ping_exits_1_without_a_worker_and_0_with_one(
    settings: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    with throwaway_redis() as broker:
        own = settings.with_overrides(redis_url=broker.url)
        env = {"MICROBRIDGE_REDIS_URL": broker.url, "MICROBRIDGE_DATABASE_URL": own.database_url,
               "MICROBRIDGE_INSTANCE_PATH": str(own.instance_path)}
        nobody = runner.invoke(main, ["worker-ping", "--name", "nobody@%h", "--timeout", "1"],
                               env=env)
        assert nobody.exit_code == 1 and "no answer from nobody@" in nobody.output
        worker = start_worker(own, tmp_path, beat=False)
        try:
            answered = runner.invoke(main, ["worker-ping", "--name", worker.name], env=env)
        finally:
            worker.stop()
        assert answered.exit_code == 0, answered.output
        broker.stop()
        down = runner.invoke(main, ["worker-ping", "--name", worker.name, "--timeout", "1"],
                             env=env)
        assert down.exit_code == 1
    unset = runner.invoke(main, ["worker-ping"], env={"MICROBRIDGE_REDIS_URL": ""})
    assert unset.exit_code == 1 and "no MICROBRIDGE_REDIS_URL" in unset.output


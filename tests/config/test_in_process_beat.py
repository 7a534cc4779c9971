from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import func, select

from config.celery_app import IN_PROCESS_BEAT, start_in_process_beat
from config.runtime import Runtime, build_runtime
from config.settings import Settings
from config.store import StoreEntry
from lti_tool.runtime import build_tool_runtime


def test_tests_and_deployments_with_redis_get_no_thread(app: Flask, settings: Settings) -> None:
    # Tests call the sweeps themselves; a deployment with Redis runs `microbridge beat`.
    assert app.extensions[IN_PROCESS_BEAT] is None
    assert start_in_process_beat(build_runtime(settings)) is None
    with_redis = settings.with_overrides(testing=False, redis_url="redis://x")
    assert start_in_process_beat(build_runtime(with_redis)) is None


def test_the_embedded_default_runs_the_sweeps_until_stopped(app: Flask, settings: Settings) -> None:
    embedded = settings.with_overrides(testing=False, redis_url="", tasks_eager=False)
    rt = build_tool_runtime(embedded)
    rt.store.put("expired-state", "x", ttl=-60)

    beat = start_in_process_beat(rt, first_after=0.0, tick=0.05)
    assert beat is not None and beat.thread.daemon
    try:
        deadline = time.monotonic() + 30
        while _entries(rt) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _entries(rt) == 0, "the purge sweep did not run"
    finally:
        beat.stop()
    # Stopped means gone: no sweep keeps running against this database after its owner ends.
    assert not beat.thread.is_alive()


def _entries(rt: Runtime) -> int:
    with rt.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(StoreEntry)) or 0)

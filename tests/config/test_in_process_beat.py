from __future__ import annotations

from config.celery_app import start_in_process_beat
from config.runtime import build_runtime
from config.settings import Settings


def test_periodic_tasks_run_in_process_only_in_the_embedded_default(settings: Settings) -> None:
    # Tests (and any deployment with Redis, which runs `microbridge beat`) get no thread.
    assert start_in_process_beat(build_runtime(settings)) is None
    with_redis = settings.with_overrides(testing=False, redis_url="redis://x")
    assert start_in_process_beat(build_runtime(with_redis)) is None

    embedded = settings.with_overrides(testing=False, redis_url="", tasks_eager=False)
    thread = start_in_process_beat(build_runtime(embedded))
    assert thread is not None and thread.daemon and thread.is_alive()

"""The Celery app bench/redis_restarts.py runs its workers on: Microbridge's Celery settings,
with a task that keeps messages in flight (sleeps, and retries every other time).

``MICROBRIDGE_BENCH_UNPATCHED=1`` leaves kombu as released, to see the failure again.
"""

from __future__ import annotations

import os
import time
from typing import Any

from config.broker_fixes import survive_restore_without_client
from config.celery_app import DEFAULT_QUEUE, celery_app, configure_celery
from config.settings import load_settings

if not os.environ.get("MICROBRIDGE_BENCH_UNPATCHED"):
    survive_restore_without_client()
configure_celery(load_settings(), task_modules=["config.tasks"])
celery_app.conf.beat_schedule = {"feed": {"task": "bench.feed", "schedule": 1.0}}
QUEUE = DEFAULT_QUEUE


@celery_app.task(name="bench.work", bind=True, acks_late=True, max_retries=None,
                 ignore_result=True)
def work(self: Any, n: int) -> None:
    time.sleep(0.3)
    if n % 2:
        raise self.retry(countdown=0.5, max_retries=None)


@celery_app.task(name="bench.feed", ignore_result=True)
def feed() -> None:
    for n in range(4):
        work.delay(n)

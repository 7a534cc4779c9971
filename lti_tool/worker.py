"""The Celery entry point: ``celery -A lti_tool.worker worker``.

Builds the same runtime as the web app once per worker, and binds it for every task the
worker runs (tasks run outside any Flask request).
"""

from __future__ import annotations

from typing import Any

from celery import bootsteps
from celery.signals import task_prerun, worker_process_init

from config import runtime
from config.broker_fixes import survive_restore_without_client
from config.celery_app import PASSBACK_QUEUE, configure_celery
from config.logs import install_log_hygiene
from config.settings import load_settings
from grading.passback.pump import ScorePump, runs_on
from grading.passback.tasks import deliver_later
from lti_tool import models_index  # noqa: F401  (every model mapped before the first query)
from lti_tool.runtime import build_tool_runtime, prepare

install_log_hygiene()
# Without it a Redis restart can kill the worker (config/broker_fixes.py explains).
survive_restore_without_client()
settings = load_settings()
worker_runtime = build_tool_runtime(settings)
prepare(worker_runtime)
runtime.bind(worker_runtime)
celery_app = configure_celery(settings)


@worker_process_init.connect
def _fresh_connections(**_kwargs: object) -> None:
    # A forked worker must not share the parent's database connections.
    worker_runtime.engine.dispose(close=False)


@task_prerun.connect
def _bind_runtime(**_kwargs: object) -> None:
    # Whatever thread the pool runs a task on, the task finds this worker's runtime.
    runtime.bind(worker_runtime)


class ScorePumpStep(bootsteps.StartStopStep):  # type: ignore[misc]
    """The score pump (grading/passback/pump.py) beside a worker that takes grade deliveries:
    started with the worker, stopped with it (deliveries under way finish first)."""

    requires = {"celery.worker.components:Pool"}

    def create(self, worker: Any) -> ScorePump | None:
        consumed = worker.app.amqp.queues.consume_from  # None: every queue
        broker = str(worker.app.conf.broker_url or "")
        if consumed is not None and PASSBACK_QUEUE not in consumed:
            return None
        if not runs_on(broker):
            return None
        return ScorePump(worker_runtime, redis_url=broker, threads=int(worker.concurrency),
                         schedule=deliver_later)


celery_app.steps["worker"].add(ScorePumpStep)

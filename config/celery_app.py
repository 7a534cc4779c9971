"""The Celery app. Embedded default: tasks run in-process; with Redis: a real broker and workers.

Settings follow what hypothesis/lms learned running grade sync on Celery: late acks so a worker
killed mid-task leaves its message for another, soft time limits so retries still happen.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from dataclasses import dataclass

import kombu.pools
from celery import Celery

from config.broker_client import TRANSPORT
from config.runtime import Runtime, bound
from config.settings import Settings

log = logging.getLogger(__name__)
celery_app = Celery("microbridge")

BROKER_CONNECT_SECONDS = 2.0
BROKER_RECONNECT_TRIES = 100  # Celery waits 2, 4, ... up to 30 s between tries: about 45 min
DEFAULT_QUEUE = "microbridge"
# Grade delivery has its own queue: it is I/O-bound (a worker mostly waits on the LMS), so it
# is consumed by many threads, and a backlog of grades never holds up email or the sweeps.
PASSBACK_QUEUE = "microbridge.passback"
QUEUES = (PASSBACK_QUEUE, DEFAULT_QUEUE)

TASK_MODULES = [
    "config.tasks",
    "config.mail",
    "grading.passback.tasks",
    "grading.placements.tasks",
    "grading.reviews.tasks",
    "grading.submissions.tasks",
]


def configure_celery(settings: Settings, *, task_modules: list[str] | None = None) -> Celery:
    eager = settings.run_tasks_in_process
    broker_url = settings.redis_url or "memory://"
    if celery_app.conf.broker_url and celery_app.conf.broker_url != broker_url:
        _forget_connections()
    celery_app.conf.update(
        broker_url=broker_url,
        # Plain Redis: kombu's transport, with one Redis client per pool (config/broker_client.py).
        broker_transport=TRANSPORT if broker_url.startswith("redis://") else None,
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=eager,
        task_eager_propagates=False,
        # A task's message is acknowledged only after it ran: a killed worker loses nothing.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=120,
        task_time_limit=240,
        # Publishing fails fast when Redis is down: the outbox row is the truth and the sweep
        # re-queues it. One quick retry rides out a blip; Celery's default (three, 0.6 s in
        # all) made "send what is waiting now" wait 0.6 s per row on a dead broker.
        task_publish_retry_policy={
            "max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1,
        },
        broker_connection_timeout=BROKER_CONNECT_SECONDS,
        # A worker keeps reconnecting through a Redis restart (at start-up too); after
        # broker_connection_max_retries it exits non-zero and its supervisor restarts it.
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=BROKER_RECONNECT_TRIES,
        # On a lost connection, let running tasks finish: a grade post cut off mid-request
        # leaves its outcome unknown to us, and cancelling kills pool processes, which made
        # the reconnect fail ("file descriptor is None") in the Redis-restart runs. Their
        # acknowledgement is lost with the connection; a redelivered message finds the row
        # settled and sends nothing.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # visibility_timeout above the longest retry countdown, so Redis does not hand a
        # delayed retry to a second worker (the row claim would stop it anyway).
        broker_transport_options={
            "max_retries": 1, "interval_start": 0, "interval_step": 0.2,
            "socket_connect_timeout": BROKER_CONNECT_SECONDS,
            "visibility_timeout": 4 * 3600,
        },
        task_default_queue=DEFAULT_QUEUE,
        task_routes={"microbridge.grading.passback.deliver_score": {"queue": PASSBACK_QUEUE}},
        timezone="UTC",
        beat_schedule={
            "sweep-outgoing-email": {
                "task": "microbridge.config.mail.sweep_outgoing_email",
                "schedule": 120.0,
            },
            "purge-expired-store-entries": {
                "task": "microbridge.config.tasks.purge_expired",
                "schedule": 600.0,
            },
            # The outbox relay: scores left pending by a lost message or a Redis outage.
            "sweep-score-outbox": {
                "task": "microbridge.grading.passback.sweep_scores",
                "schedule": float(settings.passback_sweep_seconds),
            },
            # Files a failed commit left with nothing referring to them (after a grace).
            "remove-orphan-files": {
                "task": "microbridge.grading.submissions.remove_orphan_files",
                "schedule": 3600.0,
            },
            "employer-review-reminders": {
                "task": "microbridge.grading.reviews.send_reminders",
                "schedule": 3600.0,
            },
        },
        imports=task_modules or TASK_MODULES,
    )
    # Importing the task modules also registers their after-commit outbox channels, so a
    # web process queues what it commits without having imported a task itself.
    for module in task_modules or TASK_MODULES:
        importlib.import_module(module)
    return celery_app


def _forget_connections() -> None:
    # Celery keeps its broker connection pools for the process's life: an app configured
    # for another broker (two apps in one process, as tests make) must not publish to the
    # old one's.
    pool = celery_app._pool
    if pool is not None:
        pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu also keeps producer pools per connection in a global registry: the closed one
    # would be handed back when the first broker is configured again ("Acquire on closed pool").
    kombu.pools.reset()  # type: ignore[no-untyped-call]


IN_PROCESS_BEAT = "microbridge.in_process_beat"
"""Where ``create_app`` keeps its ``InProcessBeat`` (None when tasks go to a worker)."""


@dataclass
class InProcessBeat:
    """The embedded default's periodic tasks, run from a daemon thread until stopped."""

    thread: threading.Thread
    stopping: threading.Event

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to end after the task it runs now, and wait for it."""
        self.stopping.set()
        self.thread.join(timeout)


def start_in_process_beat(
    rt: Runtime, *, first_after: float = 30.0, tick: float = 5.0
) -> InProcessBeat | None:
    """The embedded default has no beat: run the periodic tasks from a thread instead.

    Every periodic task is idempotent and claims its rows, so several web processes doing
    this at once is safe. Not started in tests, which call the sweeps themselves.
    """
    if not rt.settings.run_tasks_in_process or rt.settings.testing:
        return None
    stopping = threading.Event()
    thread = threading.Thread(target=_beat_until, args=(rt, stopping, first_after, tick),
                              name="microbridge-beat", daemon=True)
    thread.start()
    return InProcessBeat(thread, stopping)


def _beat_until(rt: Runtime, stopping: threading.Event, first_after: float, tick: float) -> None:
    # The periodic tasks run outside any request: they use the runtime of the app that started them.
    with bound(rt):
        _run_schedule(stopping, first_after, tick)


def _run_schedule(stopping: threading.Event, first_after: float, tick: float) -> None:
    celery_app.loader.import_default_modules()
    schedule = {
        entry["task"]: float(entry["schedule"]) for entry in celery_app.conf.beat_schedule.values()
    }
    due = dict.fromkeys(schedule, time.monotonic() + first_after)
    while not stopping.is_set():
        now = time.monotonic()
        for name, every in schedule.items():
            if due[name] <= now and not stopping.is_set():
                due[name] = now + every
                try:
                    celery_app.tasks[name].apply()
                except Exception:  # one failing sweep must not stop the others
                    log.exception("periodic task %s failed", name)
        stopping.wait(tick)

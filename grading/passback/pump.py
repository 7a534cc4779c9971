"""The score pump: first tries of grade delivery, fed by a plain Redis list of outbox ids.

A released grade's first try used to be a Celery task of its own. Per grade that cost a
Celery message published by the releasing request and, in the worker, a BRPOP, the
unacknowledged-message bookkeeping, the acknowledgement and the task's tracing: about a
third of the worker's CPU per grade (bench/passback.py) for a message that carries one id.
The id needs none of that: the outbox row is the truth, so a lost id costs nothing but
time (the sweep queues a pending row again after ``passback_unclaimed_grace_seconds``, and
a claim left by a killed worker is taken over after ``passback_claim_seconds``, as before).

So the after-commit hook pushes each id onto one Redis list (RPUSH, a single round trip),
and every worker that consumes the passback queue runs a pump beside its Celery consumer
(a worker bootstep, lti_tool/worker.py): it takes ids only while it has a free thread
(BLMPOP of up to that many, waiting a second at most) and runs ``deliver_row`` for each,
exactly as the task does. Retries keep going through Celery: a try that must wait
(``Tried.retry_in``) or a database error becomes a delayed ``deliver_score`` task.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import redis

from config import runtime
from grading.passback import delivery

log = logging.getLogger(__name__)

DUE_KEY = "microbridge:passback:due"
"""The Redis list of outbox ids whose first try is due (RPUSH by writers, BLMPOP by pumps)."""
CONNECT_SECONDS = 2.0
WAIT_SECONDS = 1.0
"""How long one BLMPOP waits: also how soon a stopping pump notices."""
OUTAGE_LOG_SECONDS = 60.0

Schedule = Callable[[int, float], object]
"""Queue a later try of one row in ``seconds`` (a delayed Celery task)."""


@lru_cache(maxsize=8)
def _client(url: str) -> redis.Redis:
    # One client (and connection pool) per Redis URL for the process; redis-py clients are
    # safe to share between threads. Short timeouts: with Redis down a commit's queuing
    # fails fast and the row is left to the sweep.
    return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_SECONDS,
                                socket_timeout=WAIT_SECONDS + 4)


def runs_on(broker_url: str) -> bool:
    """Whether workers on this broker run the pump (its list lives in that Redis)."""
    return broker_url.startswith(("redis://", "rediss://"))


def push(redis_url: str, outbox_id: int) -> bool:
    """Queue the first try of one row; False (and a log line) when Redis cannot be reached."""
    try:
        _client(redis_url).rpush(DUE_KEY, outbox_id)
    except redis.RedisError:
        log.warning("could not queue score %s; the sweep will retry", outbox_id, exc_info=True)
        return False
    return True


class ScorePump:
    """Takes due ids from the list while it has free threads, and delivers each on one."""

    def __init__(
        self, rt: runtime.Runtime, *, redis_url: str, threads: int, schedule: Schedule
    ) -> None:
        self.rt, self.threads, self.schedule = rt, max(1, threads), schedule
        self.client = _client(redis_url)
        self._free = threading.Semaphore(self.threads)
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="score-pump",
                                        initializer=runtime.bind, initargs=(rt,))
        self._thread = threading.Thread(target=self._run, name="score-pump", daemon=True)
        self._outage_logged_at = 0.0

    def start(self) -> None:
        log.info("score pump: up to %s deliveries at once from %s", self.threads, DUE_KEY)
        self._thread.start()

    def stop(self) -> None:
        """Take no more ids; let the deliveries under way finish (a warm shutdown)."""
        self._stopping.set()
        self._thread.join(timeout=WAIT_SECONDS + 10)
        self._pool.shutdown(wait=True)

    def terminate(self) -> None:
        """A cold shutdown: take no more ids and do not wait (a claim left behind is taken
        over once it is stale, its outcome then read from the LMS first)."""
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._take_and_deliver()
            except redis.RedisError as error:
                self._outage(error)
            except Exception:  # a bug must not stop grade delivery: log it, keep pumping
                log.exception("score pump: unexpected error")
                time.sleep(1)

    def _take_and_deliver(self) -> None:
        if not self._free.acquire(timeout=WAIT_SECONDS):
            return  # every thread is delivering
        held = 1
        while held < self.threads and self._free.acquire(blocking=False):
            held += 1
        try:
            ids = self._take(held)
        except BaseException:
            self._give_back(held)
            raise
        self._give_back(held - len(ids))
        for outbox_id in ids:
            self._pool.submit(self._deliver, outbox_id)

    def _take(self, count: int) -> list[int]:
        """Up to ``count`` ids, waiting a little for the first (BLMPOP: one round trip)."""
        found = self.client.blmpop(WAIT_SECONDS, 1, DUE_KEY, direction="LEFT", count=count)
        return [int(value) for value in found[1]] if found else []

    def _give_back(self, count: int) -> None:
        for _ in range(count):
            self._free.release()

    def _deliver(self, outbox_id: int) -> None:
        try:
            tried = delivery.deliver_row(outbox_id)
        except Exception:  # the database, most likely: the row stays open; try it again later
            log.warning("score %s: delivery failed; trying again shortly", outbox_id, exc_info=True)
            self._later(outbox_id, random.uniform(2.0, 6.0))
        else:
            if tried.retry_in is not None:
                self._later(outbox_id, tried.retry_in)
        finally:
            self._free.release()

    def _later(self, outbox_id: int, seconds: float) -> None:
        try:
            self.schedule(outbox_id, seconds)
        except Exception:  # Redis is down: the row is pending with its next try, the sweep has it
            log.warning("could not schedule score %s again; the sweep will", outbox_id,
                        exc_info=True)

    def _outage(self, error: Exception) -> None:
        # Once a minute, not once per second: Redis may be down for a while.
        now = time.monotonic()
        if now - self._outage_logged_at >= OUTAGE_LOG_SECONDS:
            self._outage_logged_at = now
            log.warning("score pump: Redis unreachable (%s); retrying", error)
        self._stopping.wait(1.0)

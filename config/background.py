"""A small in-process background queue: the embedded default's stand-in for a Celery worker.

Without Redis, tasks run in the web process. Running a delivery inside the request that
committed its outbox row makes the person wait on the LMS, and worse, the LMS calls back into
the same busy web workers (for our key set, when it issues an access token), so a burst of
requests can starve itself. Instead the after-commit hook hands each row id to this queue; one
daemon thread per process runs the jobs in order. The outbox row stays the truth: a job lost
with the process (a restart) is found by the sweep like any lost message.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], object]


class Background:
    """Runs jobs one after another on a daemon thread, started on first use in each process."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def submit(self, job: Job) -> None:
        self._ensure_thread()
        self._jobs.put(job)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted job has run; False if that took longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        while self._jobs.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def _ensure_thread(self) -> None:
        # A thread started before a fork (a server that loads the app, then forks) does not
        # run in the child.
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():
                self._jobs = queue.Queue()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="microbridge-background", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # one failed job must not stop the ones behind it
                log.exception("background job failed; its outbox row waits for the sweep")
            finally:
                self._jobs.task_done()

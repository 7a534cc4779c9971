"""Real Celery workers and a throwaway Redis, as subprocesses this test process owns.

Workers run ``celery -A lti_tool.worker worker`` with the same settings as the
test (database, Redis, instance folder, secret, base URL). Each is started in its own
process group and stopped by that group's id, so a test can kill one mid-task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from config.celery_app import QUEUES
from config.settings import Settings
from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MICROBRIDGE_DATABASE_URL": settings.database_url,
        "MICROBRIDGE_REDIS_URL": settings.redis_url,
        "MICROBRIDGE_INSTANCE_PATH": str(settings.instance_path),
        "MICROBRIDGE_SECRET_KEY": settings.secret_key,
        "MICROBRIDGE_BASE_URL": settings.base_url,
        "MICROBRIDGE_TASKS_EAGER": "false",
        # The emulated LMS is on loopback: the worker's egress policy must allow it, as the web's does.
        "MICROBRIDGE_EGRESS_ALLOW_PRIVATE": "true" if settings.egress_allow_private else "false",
        "MICROBRIDGE_PASSBACK_CLAIM_SECONDS": str(settings.passback_claim_seconds),
        "MICROBRIDGE_PASSBACK_SWEEP_SECONDS": str(settings.passback_sweep_seconds),
        "MICROBRIDGE_PASSBACK_BACKOFF_SECONDS": str(settings.passback_backoff_seconds),
        "MICROBRIDGE_PASSBACK_GIVE_UP_HOURS": str(settings.passback_give_up_hours),
        "MICROBRIDGE_PASSBACK_TIMEOUT_SECONDS": str(settings.passback_timeout_seconds),
        "MICROBRIDGE_PASSBACK_PER_PLATFORM": str(settings.passback_per_platform),
        "MICROBRIDGE_PASSBACK_UNCLAIMED_GRACE_SECONDS": str(settings.passback_unclaimed_grace_seconds),
        "PYTHONUNBUFFERED": "1",
    })
    return env


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    name: str = ""
    """The node name, ``name@%h`` as given to ``-n`` (what ``worker-ping`` asks for)."""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool child: nothing gets to finish or acknowledge."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def celery_worker(
    settings: Settings, tmp: Path, *, beat: bool = True, concurrency: int = 1
) -> Iterator[Worker]:
    worker = start_worker(settings, tmp, beat=beat, concurrency=concurrency)
    try:
        yield worker
    finally:
        worker.stop()


def start_worker(
    settings: Settings, tmp: Path, *, beat: bool = True, concurrency: int = 1
) -> Worker:
    """A started worker, ready to take tasks; the caller stops it."""
    name = f"mbtest-{uuid.uuid4().hex[:8]}"
    log = tmp / f"{name}.log"
    # The pool microbridge worker runs by default: threads.
    command = [CELERY, "-A", "lti_tool.worker", "worker", "-Q", ",".join(QUEUES),
               "--pool", "threads", "--concurrency", str(concurrency), "--loglevel", "INFO",
               "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:
        command += ["-B", "-s", str(tmp / f"{name}-beat")]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=worker_env(settings), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    worker = Worker(process, log, f"{name}@%h")
    try:
        wait_for(lambda: " ready." in worker.output(), timeout=60,
                 message=lambda: "worker did not start:\n" + worker.output()[-3000:])
    except BaseException:
        worker.stop()
        raise
    return worker


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        wait_for(lambda: _pings(client), timeout=10, message=lambda: "redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def throwaway_redis() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(
    condition: Callable[[], bool], *, timeout: float, message: Callable[[], str] = lambda: "timed out",
    interval: float = 0.2,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(message())

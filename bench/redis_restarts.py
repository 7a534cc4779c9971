"""Do Celery workers survive Redis being killed and restarted empty under load?

Starts a private redis-server on a free loopback port (never the shared one), two workers
(4 tasks in flight each) and a beat feeding them tasks that keep messages unacknowledged,
then kills and restarts Redis ``--cycles`` times. Prints, per cycle, which workers are still
running, and at the end how many worker-cycles ended with the worker dead. kombu 5.7 killed
workers here (``AttributeError 'hostname'``) until config/broker_fixes.py;
``--unpatched`` shows it again.

    .venv/bin/python bench/redis_restarts.py [--cycles 10] [--down-seconds 3]
                                             [--pool threads|prefork] [--unpatched]

Each cycle takes about 11 s after 12 s of warm-up (``--cycles 2`` is a smoke run). It needs
``redis-server`` on the PATH and leaves the workers' logs in a temporary folder it names.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
CELERY = str(Path(sys.executable).with_name("celery"))


class PrivateRedis:
    """A redis-server of this run's own, without persistence: a restart comes back empty."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis(port=self.port, socket_timeout=1)
        for _ in range(50):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.2)
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:  # killed, as in the fault test: whatever it held is gone
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([CELERY, "-A", "bench._restart_app", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--down-seconds", type=float, default=3.0)
    parser.add_argument("--pool", choices=["threads", "prefork"], default="threads")
    parser.add_argument("--unpatched", action="store_true")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mb-redis-restarts-"))
    broker = PrivateRedis()
    broker.start()
    try:
        env = dict(os.environ, MICROBRIDGE_REDIS_URL=broker.url, PYTHONUNBUFFERED="1",
                   MICROBRIDGE_INSTANCE_PATH=str(folder), PYTHONPATH=str(ROOT))
        if options.unpatched:
            env["MICROBRIDGE_BENCH_UNPATCHED"] = "1"
        workers = [_start(["worker", "-Q", "microbridge", "-P", options.pool, "-c", "4",
                           "-n", f"bench{n}@%h", "--loglevel", "INFO"], env,
                          folder / f"worker{n}.log") for n in range(2)]
        beat = _start(["beat", "-s", str(folder / "beat-schedule")], env, folder / "beat.log")
        died_at: list[int] = []
        try:
            time.sleep(12)
            for cycle in range(1, options.cycles + 1):
                alive_before = [w.poll() is None for w in workers]
                broker.stop()
                time.sleep(options.down_seconds)
                broker.start()
                time.sleep(8)
                alive = [w.poll() is None for w in workers]
                died_at += [cycle] * sum(
                    1 for was, now in zip(alive_before, alive, strict=True) if was and not now)
                print(f"cycle {cycle}: workers running {sum(alive)}/{len(workers)}", flush=True)
        finally:
            for process in [*workers, beat]:
                _stop(process)
    finally:
        broker.stop()
    # A dead worker is not restarted here (no supervisor), so it misses the later cycles.
    lived = sum(min(cycle - 1, options.cycles) for cycle in died_at) + \
        options.cycles * (len(workers) - len(died_at))
    print(f"{'unpatched' if options.unpatched else 'patched'} kombu, {options.pool} pool: "
          f"{len(died_at)} of {len(workers)} workers died (at cycles {died_at or '-'}); "
          f"{lived} of {options.cycles * len(workers)} worker-cycles survived; logs in {folder}")


if __name__ == "__main__":
    main()

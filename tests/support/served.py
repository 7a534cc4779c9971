"""The tool under ``microbridge serve`` in a process of its own, as an operator runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from config.settings import Settings
from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(settings: Settings, log_path: Path, *, redis_url: str = "") -> Iterator[str]:
    """One uWSGI worker on the test's database (and Redis, when given); yields its base URL.
    Its output goes to ``log_path``."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "MICROBRIDGE_DATABASE_URL": settings.database_url,
           "MICROBRIDGE_INSTANCE_PATH": str(settings.instance_path),
           "MICROBRIDGE_SECRET_KEY": settings.secret_key,
           "MICROBRIDGE_LOG_LEVEL": "WARNING"}
    env.pop("MICROBRIDGE_REDIS_URL", None)
    if redis_url:
        env["MICROBRIDGE_REDIS_URL"] = redis_url
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "lti_tool.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--demo"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise AssertionError("serve did not start:\n" + log_path.read_text())
        yield base
    finally:
        # SIGINT: uWSGI stops at once (SIGTERM would let requests under way finish first).
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()

"""Clients that stop half-way through an upload do not take the web tier down.

`microbridge serve` runs gunicorn's threaded workers: a stalled upload holds one thread (and
only until its read times out), not a whole worker. Here one worker serves the tool while
five clients have each sent the start of a large form post and then gone quiet; another
person's request is still answered at once. (With one sync worker, the first stalled post
would hold the only worker until gunicorn's 30 s timeout.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from config.settings import Settings
from lti_tool import socket_waits
from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "MICROBRIDGE_DATABASE_URL": settings.database_url,
           "MICROBRIDGE_INSTANCE_PATH": str(settings.instance_path),
           "MICROBRIDGE_SECRET_KEY": settings.secret_key,
           "MICROBRIDGE_LOG_LEVEL": "WARNING"}
    env.pop("MICROBRIDGE_REDIS_URL", None)
    log = (tmp_path / "serve.log").open("wb")
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
            raise AssertionError("serve did not start:\n" + (tmp_path / "serve.log").read_text())
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _stall_an_upload(port: int) -> socket.socket:
    """Announce a 10 MB form post to a route that reads its form, send 1 KB, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = (
        "POST /lti/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
    )
    sock.sendall(head.encode() + b"iss=" + b"a" * 1024)
    return sock


def test_five_stalled_uploads_leave_the_tool_answering(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    stalled = [_stall_an_upload(port) for _ in range(5)]
    try:
        time.sleep(1)  # every stalled post has reached the worker and is being read
        for _ in range(3):
            answer = requests.get(served + "/healthz", timeout=10)
            assert answer.status_code == 200
        assert requests.get(served + "/", timeout=10).status_code == 200
    finally:
        for sock in stalled:
            sock.close()


def test_a_stalled_read_ends_the_request_instead_of_holding_its_thread() -> None:
    class Socket:
        timeout: float | None = None

        def settimeout(self, value: float) -> None:
            self.timeout = value

    client = Socket()
    bounded = socket_waits.bounded_socket_waits(lambda _environ, _start: [b"ok"])

    assert list(bounded({"gunicorn.socket": client}, lambda *_: None)) == [b"ok"]
    assert client.timeout == socket_waits.READ_SECONDS

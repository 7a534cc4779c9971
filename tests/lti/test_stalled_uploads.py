"""Clients that stop half-way through an upload do not take the web tier down, and what
`microbridge serve` (uWSGI) writes and does as an operator runs it.

A stalled upload holds one of a worker's threads (and only until its read times out after
uWSGI's socket timeout), not the whole worker. Here one worker serves the tool while five
clients have each sent the start of a large form post and then gone quiet; another
person's request is still answered at once.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from config.settings import Settings
from tests.support.served import serving


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The tool under ``microbridge serve`` (one worker); its output is in tmp_path/serve.log."""
    with serving(settings, tmp_path / "serve.log") as base:
        yield base


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


def test_each_request_has_one_access_line_with_its_secrets_redacted(
    served: str, tmp_path: Path
) -> None:
    answer = requests.get(served + "/healthz?lt=abc123notforlogs&x=1", timeout=10,
                          headers={"User-Agent": "stalled-test"})
    assert answer.status_code == 200
    assert answer.headers["Date"].endswith(" GMT")  # RFC 9110, 6.6.1 (uWSGI leaves it to us)
    log = tmp_path / "serve.log"
    deadline = time.monotonic() + 10
    while "stalled-test" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    [line] = [x for x in log.read_text().splitlines() if "stalled-test" in x]
    assert re.fullmatch(r'127\.0\.0\.1 - - \[[^]]+\] "GET /healthz\?lt=\[redacted\]&x=1 HTTP/1\.1" '
                        r'200 \d+ "-" "stalled-test"', line), line
    # uWSGI's own request log (in C, past the log hygiene) is off: the token is nowhere.
    assert "abc123notforlogs" not in log.read_text()
    # ... and serve's processes listen on the one port they were given, with no control,
    # stats or fifo socket of their own (no TCP listener besides it, no Unix socket with a path).
    listening, named = _sockets_of_server(int(served.rsplit(":", 1)[1]))
    assert listening == {int(served.rsplit(":", 1)[1])}
    assert named == []


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


def _sockets_of_server(port: int) -> tuple[set[int], list[str]]:
    """The TCP ports the processes serving ``port`` listen on, and their Unix sockets' paths
    (read from /proc: what the kernel says they hold, whatever their options said)."""
    listeners: dict[str, int] = {}  # inode: port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                listeners[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    holders: dict[int, set[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                holders[int(entry.name)] = _socket_inodes(int(entry.name))
    groups = {os.getpgid(pid) for pid, inodes in holders.items()
              if any(listeners.get(inode) == port for inode in inodes)}
    assert len(groups) == 1, groups  # serve's master and workers: one process group
    group = groups.pop()
    ours = set().union(*(inodes for pid, inodes in holders.items()
                         if _group_of(pid) == group))
    named = []
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[6] in ours:
            named.append(fields[7])
    return {listeners[inode] for inode in ours if inode in listeners}, named


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None

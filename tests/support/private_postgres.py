"""A throwaway PostgreSQL cluster of the test's own, on a free loopback port, for tests that
stop and start the database. The shared server is never touched.

``initdb`` refuses to run as root: as root, the cluster is made and run as the ``postgres``
user (``runuser``). Tests skip with the reason when the binaries or that user are missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.live import free_port

CLUSTER_USER = "postgres"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PrivatePostgres:
    bin_dir: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_user, *args], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data / "db"), "-w", "-t", "30",
                  "-o", options, "-l", str(self.data / "log"), "start")

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data / "db"), "-w", "-t", "30",
                  "-m", "fast", "stop")

    def running(self) -> bool:
        check = subprocess.run([*self.as_user, str(self.bin_dir / "pg_ctl"), "-D",
                                str(self.data / "db"), "status"], capture_output=True, timeout=30)
        return check.returncode == 0


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        pytest.skip("needs PostgreSQL's initdb and pg_ctl to run a private cluster")
    as_user: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="mb-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(CLUSTER_USER)
        except KeyError:
            pytest.skip("running as root: needs a 'postgres' user for initdb")
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root: needs runuser to run initdb as 'postgres'")
        os.chown(data, owner.pw_uid, owner.pw_gid)
        as_user = [runuser, "-u", CLUSTER_USER, "--"]
    cluster = PrivatePostgres(bin_dir, data, free_port(), as_user)
    try:
        cluster._run(str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--no-sync")
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(data, ignore_errors=True)

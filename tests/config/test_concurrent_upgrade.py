"""Two `microbridge db upgrade` started at once on a fresh database both succeed: one
migrates, the other waits for it and finds nothing left to do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from config.migrate import code_heads, database_heads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database_url(tmp_path: Path, database_url: str) -> Iterator[str]:
    """An empty database of the kind under test, of its own (never the suite's)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_upgrade_race"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_two_upgrades_at_once_both_succeed(fresh_database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MICROBRIDGE_INSTANCE_PATH": str(tmp_path),
           "MICROBRIDGE_DATABASE_URL": fresh_database_url, "MICROBRIDGE_SECRET_KEY": "x" * 32,
           "MICROBRIDGE_REDIS_URL": ""}
    command = [sys.executable, "-c", "from lti_tool.cli import main; main()", "db", "upgrade"]
    both = [subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=180)[0] for process in both]

    assert [process.returncode for process in both] == [0, 0], outputs
    # The advisory lock: one migrates, the other waits for it and finds nothing left to do.
    assert sorted(output.strip().splitlines()[-1] for output in outputs) == [
        "Database is up to date.", "Database was already up to date."], outputs
    engine = create_engine(fresh_database_url)
    try:
        assert database_heads(engine) == code_heads(fresh_database_url)
    finally:
        engine.dispose()

"""What an operator sees from `microbridge db upgrade` and where `serve` and `beat` keep their
files: the instance folder, never the folder they were started from or the home folder."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import make_url

from config.settings import load_settings
from lti_tool.cli import READ_SECONDS, default_workers, listen_backlog, main
from tests.conftest import TEST_DATABASE_URL
from tests.support.live import free_port


def upgrade(monkeypatch: pytest.MonkeyPatch, instance: Path, database_url: str = "") -> Result:
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", database_url)
    return CliRunner().invoke(main, ["db", "upgrade"])


def test_db_upgrade_names_the_migrations_it_applied_then_says_nothing_was_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = upgrade(monkeypatch, tmp_path)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0].startswith("Applied 0001: foundation")
    assert "Applied 0010:" in first.output and first.output.endswith("Database is up to date.\n")
    again = upgrade(monkeypatch, tmp_path)
    assert again.exit_code == 0 and again.output == "Database was already up to date.\n"


def test_db_upgrade_against_a_database_server_that_does_not_answer_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"postgresql+psycopg://microbridge:hunter2@127.0.0.1:{free_port()}/microbridge"
    result = upgrade(monkeypatch, tmp_path, url)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith("Error: Cannot reach the database postgresql+psycopg://microbridge:***@")
    assert "hunter2" not in result.output


@pytest.mark.services
def test_db_upgrade_against_a_missing_database_says_how_to_create_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    name = f"mb_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    result = upgrade(monkeypatch, tmp_path, url)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1, result.output
    assert f"The database '{name}' does not exist" in result.output
    assert f"createdb -h 127.0.0.1 -p 5432 -U postgres {name}" in result.output


@pytest.mark.parametrize(("given", "expected"), [(None, 8), ("3", 3)])
def test_serve_keeps_a_database_connection_open_per_thread_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, given: str | None, expected: int
) -> None:
    """Threads beyond the pool would open and close a connection for each request they
    serve alongside the others; an operator's own MICROBRIDGE_DB_POOL_SIZE stands."""
    assert upgrade(monkeypatch, tmp_path).exit_code == 0
    monkeypatch.setattr(os, "execvp", lambda _file, _argv: None)
    monkeypatch.setenv("MICROBRIDGE_SMTP_URL", "smtp://127.0.0.1:2525")  # serve requires one
    # Set first either way, so that what serve sets is undone after the test.
    monkeypatch.setenv("MICROBRIDGE_DB_POOL_SIZE", given or "")
    if given is None:
        monkeypatch.delenv("MICROBRIDGE_DB_POOL_SIZE")
    result = CliRunner().invoke(main, ["serve", "--workers", "1", "--threads", "8"])
    assert result.exit_code == 0, result.output
    # What a uWSGI worker reads when it builds its engine.
    assert load_settings().db_pool_size == expected


def test_serve_runs_uwsgi_with_no_control_socket_and_our_own_access_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert upgrade(monkeypatch, tmp_path).exit_code == 0
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execvp", lambda _file, argv: started.append(argv))
    monkeypatch.setenv("MICROBRIDGE_SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("MICROBRIDGE_DB_POOL_SIZE", "8")  # serve sets it when unset
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--threads", "6", "--port", "8123"])
    assert result.exit_code == 0, result.output
    argv = started[0]
    assert "pyuwsgi.run()" in argv[2]

    def option(name: str) -> str:
        return argv[argv.index(name) + 1]

    assert option("--http-socket") == "0.0.0.0:8123"
    assert option("--module") == "lti_tool.wsgi:app"
    assert (option("--processes"), option("--threads")) == ("2", "6")
    assert option("--socket-timeout") == str(READ_SECONDS)  # a stalled upload frees its thread
    # uWSGI's request log is written in C, past the log hygiene: ours replaces it.
    assert "--disable-logging" in argv
    # No control, stats or fifo socket: nothing another instance or user could talk to.
    assert not {"--stats", "--master-fifo", "--emperor", "--socket", "--shared-socket"} & set(argv)
    assert "--strict" in argv and "--need-app" in argv


def test_the_listen_backlog_stays_within_what_the_system_allows() -> None:
    allowed = int(Path("/proc/sys/net/core/somaxconn").read_text())
    assert listen_backlog() == min(1024, allowed)
    assert listen_backlog(wanted=allowed + 1) == allowed


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_serve_leaves_a_core_to_what_runs_beside_it(
    monkeypatch: pytest.MonkeyPatch, cores: int, expected: int
) -> None:
    """The cores this process may use (a container's or taskset's share), not the machine's."""
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert default_workers() == expected

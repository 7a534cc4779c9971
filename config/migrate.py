"""Alembic, driven from code: ``microbridge db upgrade`` and the start-up check."""

from __future__ import annotations

import fcntl
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The PostgreSQL advisory lock every `db upgrade` holds: "mbmigrat" in ASCII, any fixed number.
MIGRATION_LOCK_KEY = 0x6D626D6967726174


class DatabaseNotMigrated(RuntimeError):
    """The database schema is older (or newer) than this code."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


class DatabaseUnreachable(RuntimeError):
    """The database cannot be reached, or does not exist: one line saying what to do."""


def upgrade(database_url: str, revision: str = "heads") -> list[tuple[str, str]]:
    """Migrate; return the migrations applied (revision, description), oldest first.

    A second upgrade started meanwhile waits, then finds nothing left to do.
    """
    config = alembic_config(database_url)
    try:
        with migration_lock(database_url):
            engine = create_engine(database_url, poolclass=NullPool)
            try:
                before = database_heads(engine)
            finally:
                engine.dispose()
            command.upgrade(config, revision)
    except OperationalError as error:
        raise DatabaseUnreachable(describe_unreachable(database_url, error)) from None
    return applied_since(config, before, revision)


def applied_since(config: Config, before: set[str], revision: str) -> list[tuple[str, str]]:
    """The revisions between ``before`` (the database's heads) and ``revision``, oldest first."""
    script = ScriptDirectory.from_config(config)
    lower = ",".join(sorted(before)) if before else "base"
    upgraded = script.iterate_revisions(revision, lower if lower != "base" else None)
    return [(rev.revision, (rev.doc or "").strip()) for rev in reversed(list(upgraded))]


def describe_unreachable(database_url: str, error: OperationalError) -> str:
    """One line: which database is missing or unreachable, and how to fix it."""
    url = make_url(database_url)
    reason = str(error.orig or error).strip().splitlines()[0] if str(error.orig or error).strip() else ""
    if url.get_backend_name() == "postgresql" and "does not exist" in reason:
        return _missing_postgresql_database(url, reason)
    where = url.render_as_string(hide_password=True)
    return f"Cannot reach the database {where}: {reason}"


def _missing_postgresql_database(url: URL, reason: str) -> str:
    host = f"-h {url.host} " if url.host else ""
    port = f"-p {url.port} " if url.port else ""
    user = f"-U {url.username} " if url.username else ""
    if f'database "{url.database}"' not in reason:  # a missing role, not a missing database
        return f"PostgreSQL at {url.host or 'localhost'} refused the connection: {reason}"
    return (
        f"The database {url.database!r} does not exist on {url.host or 'localhost'}: create it "
        f"(createdb {host}{port}{user}{url.database}), then run `microbridge db upgrade` again."
    )


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """One migration at a time per database, across processes and machines.

    PostgreSQL: a session advisory lock (released when its connection ends, even on a crash).
    SQLite: an exclusive file lock on ``<database file>.migrate-lock`` beside the database.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        finally:
            engine.dispose()
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # The lock file stays: deleting it while another process waits on it would let a
        # third one lock a new file and run alongside.
        with open(f"{url.database}.migrate-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield  # closing the file releases the lock
    else:
        yield


def code_heads(database_url: str) -> set[str]:
    return set(_script_heads())


@functools.cache
def _script_heads() -> frozenset[str]:
    """The migrations shipped with this code: read once per process (every app built checks
    them, and reading means compiling all the migration files)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def database_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def check_migrated(engine: Engine, database_url: str) -> None:
    """Refuse to run on a schema this code does not expect, saying how to fix it."""
    have, want = database_heads(engine), code_heads(database_url)
    if have == want:
        return
    where = engine.url.render_as_string(hide_password=True)
    if not have:
        state = "has no Microbridge tables yet"
    else:
        state = (
            f"is at revision {', '.join(sorted(have))}, this code needs {', '.join(sorted(want))}"
        )
    raise DatabaseNotMigrated(
        f"The database {where} {state}. "
        "Run `microbridge db upgrade` to migrate it, then start again."
    )

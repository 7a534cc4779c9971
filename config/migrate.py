"""Alembic, driven from code: ``microbridge db upgrade`` and the start-up check."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, make_url, text
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


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Migrate; a second upgrade started meanwhile waits, then finds nothing left to do."""
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


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
    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


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

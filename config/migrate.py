"""Alembic, driven from code: ``microbridge db upgrade`` and the start-up check."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    """The database schema is older (or newer) than this code."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


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

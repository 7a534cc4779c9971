"""Alembic environment: runs migrations online against the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from config.database import Base

config = context.config
# The composition root (lti_tool.models_index) imports every model before it migrates, so the
# metadata knows every table; config never imports the parts above it.
metadata = Base.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # SQLite's FTS5 search tables (and their shadow tables) are made by hand in 0003.
    return not (type_ == "table" and (name or "").startswith("project_revision_fts"))


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


run()

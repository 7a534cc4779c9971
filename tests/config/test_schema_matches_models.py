"""The migrated schema is the one the models describe: a model changed without a migration (or
a migration without its model) fails here, on SQLite and on PostgreSQL, instead of in a
deployment that upgraded and then found a column missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from config.migrate import upgrade
from lti_tool.models_index import metadata

# Full-text search lives in the database only, written by SQL the models never see:
# SQLite's FTS5 table (and the shadow tables FTS5 makes for it), and PostgreSQL's tsvector
# columns on catalog_listing with their GIN index (catalog/search/fulltext.py).
DATABASE_ONLY_TABLES = ("project_revision_fts",)
DATABASE_ONLY_COLUMNS = {("catalog_listing", "search_vector"), ("catalog_listing", "search_head"),
                         ("catalog_listing", "search_facets")}
DATABASE_ONLY_INDEXES = {"ix__catalog_listing__search"}


def _kept(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    if not reflected or compare_to is not None:
        return True  # only objects the database has and the models lack may be excused
    if kind == "table":
        return not (name or "").startswith(DATABASE_ONLY_TABLES)
    if kind == "column":
        return (obj.table.name, name) not in DATABASE_ONLY_COLUMNS
    if kind == "index":
        return name not in DATABASE_ONLY_INDEXES
    return True


def differences(database_url: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": _kept})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_the_migrated_schema_is_what_the_models_say(database_url: str) -> None:
    assert differences(database_url) == []


def test_the_comparison_sees_a_column_the_migrations_lack(tmp_path: Path) -> None:
    """The check above would pass on a comparison that compares nothing."""
    url = f"sqlite:///{tmp_path / 'drifted.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE credit_step DROP COLUMN note"))
    engine.dispose()
    found = differences(url)
    assert [(d[0], d[2], d[3].name) for d in found] == [("add_column", "credit_step", "note")]

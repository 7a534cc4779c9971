"""search facets: catalog_listing's equality filters inside the PostgreSQL text index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

PostgreSQL only (SQLite's FTS5 tables and catalog_listing are left as they are). A text
search for a common word found every listing whose text matched (up to a fifth of the
catalog) and then read each of those rows to test the filters. ``search_facets`` holds a
listing's equality facts as strings (``discipline:data``, ``compensation:paid``,
``work_mode:remote``, ``team_size:2``, ``skill:excel``) and shares one GIN index with
``search_vector``, so one index scan intersects the words with the filters and only rows
that pass are read (bench/catalog_search.py: "budget" with a skill and remote-only went
from 14 ms to 3 ms in SQL). Ranges (hours, dates) and the institution stay row filters.
Filled here for existing listings, by catalog.projects.listing.FILL_VECTORS for new ones.
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Kept in step with catalog.projects.listing.FILL_VECTORS (a migration does not import it).
_FILL = """
UPDATE catalog_listing AS l SET search_facets =
  ARRAY['discipline:' || l.discipline,
        'compensation:' || l.compensation_type, 'work_mode:' || l.work_mode,
        'team_size:' || l.team_size]
  || ARRAY(SELECT 'skill:' || s.slug FROM revision_skill AS s
           WHERE s.revision_id = l.revision_id ORDER BY s.position)
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE catalog_listing ADD COLUMN search_facets text[]")
    op.execute(_FILL)
    op.execute("DROP INDEX IF EXISTS ix__catalog_listing__search_vector")
    op.execute(
        "CREATE INDEX ix__catalog_listing__search ON catalog_listing "
        "USING gin (search_vector, search_facets)"
    )
    op.execute("ANALYZE catalog_listing")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix__catalog_listing__search")
    op.execute(
        "CREATE INDEX ix__catalog_listing__search_vector ON catalog_listing "
        "USING gin (search_vector)"
    )
    op.execute("ALTER TABLE catalog_listing DROP COLUMN search_facets")

"""Keeping ``catalog_listing`` (the search projection) in step with what institutions list."""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from catalog.projects.models import CatalogListing, ProjectOffer, ProjectRevision

# PostgreSQL text vectors: the head (title A, skills B, summary C) ranks results; the full
# vector (head plus the brief, D) finds them. Migration 0003 adds both columns. The facets
# (migration 0007, which fills them the same way) are the listing's equality filters as
# strings, indexed with the full vector (see catalog.search.fulltext.facet).
FILL_VECTORS = text("""
UPDATE catalog_listing AS l SET
  search_facets =
    ARRAY['discipline:' || l.discipline,
          'compensation:' || l.compensation_type, 'work_mode:' || l.work_mode,
          'team_size:' || l.team_size]
    || ARRAY(SELECT 'skill:' || s.slug FROM revision_skill AS s
             WHERE s.revision_id = l.revision_id ORDER BY s.position),
  search_head =
    setweight(to_tsvector('english'::regconfig, coalesce(r.title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(r.skills_text, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(r.summary, '')), 'C'),
  search_vector =
    setweight(to_tsvector('english'::regconfig, coalesce(r.title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(r.skills_text, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(r.summary, '')), 'C') ||
    setweight(to_tsvector('english'::regconfig, coalesce(r.brief_md, '')), 'D')
FROM project_revision AS r
WHERE r.id = l.revision_id AND l.search_head IS NULL
""")


def sync(session: Session, offer: ProjectOffer) -> None:
    """Make the projection show exactly what this offer lists (or nothing)."""
    session.flush()
    session.execute(
        delete(CatalogListing).where(CatalogListing.institution_id == offer.institution_id,
                                     CatalogListing.project_id == offer.project_id)
    )
    revision = (session.get(ProjectRevision, offer.listed_revision_id)
                if offer.listed_revision_id else None)
    if revision is None or offer.listed_at is None:
        return
    session.add(CatalogListing(
        institution_id=offer.institution_id, revision_id=revision.id,
        project_id=offer.project_id, listed_at=offer.listed_at,
        discipline=revision.discipline, estimated_hours=revision.estimated_hours,
        compensation_type=revision.compensation_type, team_size=revision.team_size,
        work_mode=revision.work_mode, window_start=revision.window_start,
        window_end=revision.window_end,
    ))
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(FILL_VECTORS)

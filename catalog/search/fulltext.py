"""Full-text search, one service for two engines.

PostgreSQL: ``catalog_listing.search_vector`` (title, skills, summary and brief; GIN index)
finds projects and the small ``search_head`` vector (title, skills, summary) ranks them with
``ts_rank``. SQLite: ``project_revision_fts``, an FTS5 table over the same columns (porter
stemming, kept in step by triggers) finds them, and bm25 over the head columns ranks them.
Matches only in the brief come after, newest first. Ranking on the short head keeps the
cost per match small, which is what lets a broad query stay fast. Both are made by migration
0003. People type web-search syntax on both: words, "quoted phrases", ``or``, ``-word``.

On PostgreSQL a text search also tests the equality filters (institution, discipline,
compensation, work mode, team size, skills) in the same GIN index, through
``catalog_listing.search_facets`` (migration 0007): the index scan then yields only rows
that pass them, instead of every row with the words for the filters to be tested on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

FTS_TABLE = "project_revision_fts"
TS_CONFIG = "english"
# Column weights for bm25, in FTS column order: title, summary, brief_md, skills_text.
BM25_WEIGHTS = (10.0, 4.0, 0.0, 6.0)

# PostgreSQL's English stop words, so that both engines ignore the same little words.
_STOP_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can did do does doing don down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own s same she should so some such t than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where
which while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')

_FACETS = literal_column("catalog_listing.search_facets", ARRAY(Text))


def facet(name: str, value: object) -> str:
    """One equality fact as ``catalog_listing.search_facets`` holds it: ``discipline:data``.

    Written by catalog.projects.listing.FILL_VECTORS (and migration 0007) in SQL."""
    return f"{name}:{value}"


class TextMatch:
    """How to filter and rank one query on the session's engine."""

    def __init__(self, dialect: str, query: str, fts5: str = "") -> None:
        self.dialect = dialect
        self.query = query
        self.fts5 = fts5
        self._head: Any = None

    def _tsquery(self) -> ColumnElement[Any]:
        return func.websearch_to_tsquery(literal_column(f"'{TS_CONFIG}'::regconfig"), self.query)

    def apply(self, stmt: Select[Any], revision_id: Any) -> Select[Any]:
        """Join and filter ``stmt`` (over catalog_listing) to revisions whose text matches."""
        if self.dialect == "postgresql":
            return stmt.where(
                literal_column("catalog_listing.search_vector").op("@@")(self._tsquery())
            )
        fts = table(FTS_TABLE, column("rowid"))
        head_query = "{title summary skills_text} : (" + self.fts5 + ")"
        self._head = (
            select(
                literal_column("rowid").label("rid"),
                (-func.bm25(literal_column(FTS_TABLE), *BM25_WEIGHTS)).label("score"),
            )
            .select_from(table(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts_head").bindparams(fts_head=head_query))
            .cte("fts_head")
            .prefix_with("MATERIALIZED")
        )
        return (
            stmt.join(fts, fts.c.rowid == revision_id)
            .outerjoin(self._head, self._head.c.rid == revision_id)
            .where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=self.fts5))
        )

    @property
    def has_facets(self) -> bool:
        """Whether equality filters can be tested in the text index (PostgreSQL)."""
        return self.dialect == "postgresql"

    def all_facets(self, facets: Sequence[str]) -> ColumnElement[bool]:
        """Rows with every one of these facets (same index scan as the words)."""
        return _FACETS.op("@>")(literal(list(facets), ARRAY(Text)))

    def any_facet(self, facets: Sequence[str]) -> ColumnElement[bool]:
        """Rows with at least one of these facets (same index scan as the words)."""
        return _FACETS.op("&&")(literal(list(facets), ARRAY(Text)))

    def rank(self) -> ColumnElement[float]:
        """Higher is better on both engines; call after ``apply``."""
        if self.dialect == "postgresql":
            return func.ts_rank(literal_column("catalog_listing.search_head"), self._tsquery())
        assert self._head is not None, "apply() first"
        return func.coalesce(self._head.c.score, 0.0)


@contextmanager
def index_first(session: Session, match: TextMatch | None) -> Iterator[None]:
    """On PostgreSQL, have text searches go through the GIN index, planned for their words.

    For a common word the planner prefers a sequential scan, not knowing that testing each
    row means unpacking its out-of-line vector; the index path never unpacks any (a broad
    query went from about 450 ms to 55 ms in bench/catalog_search.py). And psycopg prepares
    a statement run five times, after which PostgreSQL may switch it to a generic plan,
    made without the words: it guesses a few matches where a common word has thousands
    (nested loops instead of a hash join) and re-parses the query text for every row it
    ranks; "budget" plus a skill went from 17 to 25 ms, the broad query from 47 to 79 ms.
    Custom plans cost a fraction of a millisecond to make. The settings last only for the
    statements inside this block, also on an autocommit connection (a read-only view's),
    where a transaction-local setting would end with the statement that made it.
    """
    if match is None or match.dialect != "postgresql":
        yield
        return
    driver = session.connection().connection.driver_connection
    local = "false" if getattr(driver, "autocommit", False) else "true"
    before = session.execute(text(
        "SELECT current_setting('enable_seqscan'), current_setting('plan_cache_mode'), "
        f"set_config('enable_seqscan', 'off', {local}), "
        f"set_config('plan_cache_mode', 'force_custom_plan', {local})"
    )).one()
    try:
        yield
    finally:
        session.execute(text(
            f"SELECT set_config('enable_seqscan', :seqscan, {local}), "
            f"set_config('plan_cache_mode', :plans, {local})"
        ), {"seqscan": before[0], "plans": before[1]})


def text_match(session: Session, query: str) -> TextMatch | None:
    """The text condition for this query, or None when it has no searchable words.

    Whether a query has words is decided here, the same way for both engines (PostgreSQL's
    English stop words), which saves PostgreSQL a round trip per search.
    """
    query = " ".join(query.split())[:200]
    expression = fts5_expression(query)
    if not expression:
        return None
    dialect = session.get_bind().dialect.name
    return TextMatch(dialect, query, fts5=expression)


def _words(text_: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text_.lower()) if w not in STOP_WORDS]


def fts5_expression(query: str) -> str:
    """Web-search syntax to an FTS5 query that cannot be a syntax error."""
    parts: list[str] = []
    negatives: list[str] = []
    for match in _TOKEN.finditer(query):
        phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        negative = word is not None and word.startswith("-") and len(word) > 1
        words = _words(phrase if phrase is not None else word)
        if not words:
            continue
        quoted = '"' + " ".join(words) + '"'
        (negatives if negative else parts).append(quoted)
    while parts and parts[-1] == "OR":
        parts.pop()
    if not parts:
        return ""
    expression = " ".join(parts)
    if negatives:
        expression = f"({expression})" + "".join(f" NOT {n}" for n in negatives)
    return expression

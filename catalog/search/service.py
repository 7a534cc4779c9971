"""Searching an institution's catalog: text, filters, sorting, pages.

Only revisions an institution's curators approved (``ProjectOffer.listed_revision_id``) are
ever found, so instructors and students see nothing else. The deep-linking picker calls
``search_projects`` and ``get_listed`` too.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from catalog.employers.models import EmployerOrg
from catalog.employers.service import verified_at_institution
from catalog.projects.models import (
    CatalogListing,
    Compensation,
    Discipline,
    Project,
    ProjectOffer,
    ProjectRevision,
    RevisionSkill,
    RubricCriterion,
    WorkMode,
)
from catalog.search.fulltext import TextMatch, facet, index_first, text_match
from catalog.skills.service import normalise_all
from config.web import NotFound

MAX_PER_PAGE = 50


class SortOrder(enum.StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    HOURS_ASC = "hours"
    HOURS_DESC = "-hours"
    STARTS_SOON = "starts"

    @property
    def label(self) -> str:
        return {
            "relevance": "Best match", "newest": "Newest first", "hours": "Fewest hours first",
            "-hours": "Most hours first", "starts": "Starting soonest",
        }[self.value]


@dataclass(frozen=True)
class SearchFilters:
    skills: tuple[str, ...] = ()
    """Every one of these skills (labels or aliases; normalised against the taxonomy)."""
    disciplines: tuple[str, ...] = ()
    hours_min: int | None = None
    hours_max: int | None = None
    compensation: tuple[str, ...] = ()
    team_size: int | None = None
    remote_only: bool = False
    open_on: date | None = None
    """Only projects whose availability window includes this day."""

    @property
    def active(self) -> bool:
        return self != SearchFilters()


@dataclass(frozen=True)
class SearchHit:
    project_id: int
    revision_id: int
    title: str
    summary: str
    employer_name: str
    employer_verified: bool
    discipline: str
    estimated_hours: int
    compensation_type: str
    pay_amount: Decimal | None
    pay_currency: str
    team_size: int
    capacity: int
    work_mode: str
    window_start: date
    window_end: date
    skills: tuple[str, ...] = field(default_factory=tuple)

    @property
    def discipline_label(self) -> str:
        return Discipline(self.discipline).label

    @property
    def compensation_label(self) -> str:
        return Compensation(self.compensation_type).label

    @property
    def work_mode_label(self) -> str:
        return WorkMode(self.work_mode).label


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    sort: SortOrder

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.hits)


def listed(institution_id: int) -> Select[Any]:
    """The revision ids an institution lists, from the search projection."""
    return select(CatalogListing.revision_id).where(
        CatalogListing.institution_id == institution_id
    )


def search_projects(
    session: Session, *, institution_id: int, query: str = "",
    filters: SearchFilters | None = None, sort: SortOrder = SortOrder.RELEVANCE, page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """One page of the institution's approved projects matching a text query and filters."""
    filters = filters or SearchFilters()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    match = text_match(session, query)
    if sort == SortOrder.RELEVANCE and match is None:
        sort = SortOrder.NEWEST
    stmt = listed(institution_id)
    if match is not None:
        stmt = match.apply(stmt, CatalogListing.revision_id)
    stmt = stmt.where(*_conditions(filters, match))
    keys = _ordering(sort, match)
    # One statement: the window count rides along with the page, and the page's 20 rows are
    # joined to their revision and employer only after the sort and limit. Only a page past
    # the end needs a second query, to count.
    page_rows = (
        stmt.add_columns(func.count().over().label("total"),
                         *(key.label(f"k{i}") for i, (key, _) in enumerate(keys)))
        .order_by(*(key.desc() if descending else key.asc() for key, descending in keys))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("page_rows")
    )
    ordered = [page_rows.c[f"k{i}"] for i in range(len(keys))]
    final = (
        select(page_rows.c.total, *_hit_columns(institution_id))
        .select_from(page_rows)
        .join(ProjectRevision, ProjectRevision.id == page_rows.c.revision_id)
        .join(Project, Project.id == ProjectRevision.project_id)
        .join(EmployerOrg, EmployerOrg.id == Project.employer_id)
        .order_by(*(key.desc() if descending else key.asc()
                    for key, (_, descending) in zip(ordered, keys, strict=True)))
    )
    with index_first(session, match):
        rows = session.execute(final).all()
        if rows:
            total = int(rows[0][0])
        else:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return SearchPage(hits=[_hit(row[1:]) for row in rows], total=total, page=page,
                      per_page=per_page, sort=sort)


def _conditions(filters: SearchFilters, match: TextMatch | None) -> list[ColumnElement[bool]]:
    """The filters as conditions on catalog_listing.

    With a PostgreSQL text match the equality filters are facets tested in the text index;
    ranges, and the institution (``listed``), are tested on rows. Measured with
    bench/catalog_search.py: an institution listing most of the catalog made the index scan
    slower by more than it saved.
    """
    rev = CatalogListing
    found: list[ColumnElement[bool]] = []
    if match is not None and match.has_facets:
        required = [facet("skill", skill.slug) for skill in normalise_all(filters.skills)]
        for name, values in (("discipline", filters.disciplines),
                             ("compensation", filters.compensation)):
            if len(values) == 1:
                required.append(facet(name, values[0]))
            elif values:
                found.append(match.any_facet([facet(name, value) for value in values]))
        if filters.team_size is not None:
            required.append(facet("team_size", filters.team_size))
        if filters.remote_only:
            required.append(facet("work_mode", WorkMode.REMOTE.value))
        if required:
            found.append(match.all_facets(required))
    else:
        for skill in normalise_all(filters.skills):
            found.append(exists().where(RevisionSkill.revision_id == rev.revision_id,
                                        RevisionSkill.slug == skill.slug))
        if filters.disciplines:
            found.append(rev.discipline.in_(filters.disciplines))
        if filters.compensation:
            found.append(rev.compensation_type.in_(filters.compensation))
        if filters.team_size is not None:
            found.append(rev.team_size == filters.team_size)
        if filters.remote_only:
            found.append(rev.work_mode == WorkMode.REMOTE.value)
    if filters.hours_min is not None:
        found.append(rev.estimated_hours >= filters.hours_min)
    if filters.hours_max is not None:
        found.append(rev.estimated_hours <= filters.hours_max)
    if filters.open_on is not None:
        found.append(rev.window_start <= filters.open_on)
        found.append(rev.window_end >= filters.open_on)
    return found


SortKey = tuple[Any, bool]
"""A column or expression to sort by, and whether it sorts descending."""


def _ordering(sort: SortOrder, match: TextMatch | None) -> list[SortKey]:
    """The sort keys, each with True when it sorts descending."""
    row = CatalogListing
    if sort == SortOrder.RELEVANCE and match is not None:
        return [(match.rank(), True), (row.listed_at, True), (row.revision_id, True)]
    if sort == SortOrder.HOURS_ASC:
        return [(row.estimated_hours, False), (row.revision_id, True)]
    if sort == SortOrder.HOURS_DESC:
        return [(row.estimated_hours, True), (row.revision_id, True)]
    if sort == SortOrder.STARTS_SOON:
        return [(row.window_start, False), (row.revision_id, True)]
    return [(row.listed_at, True), (row.revision_id, True)]


def _hit_columns(institution_id: int) -> list[Any]:
    rev = ProjectRevision
    return [rev.project_id, rev.id, rev.title, rev.summary, EmployerOrg.name,
            verified_at_institution(institution_id), rev.discipline, rev.estimated_hours,
            rev.compensation_type, rev.pay_amount, rev.pay_currency, rev.team_size, rev.capacity,
            rev.work_mode,
            rev.window_start, rev.window_end, rev.skills_text]


def load_hits(
    session: Session, revision_ids: Sequence[int], *, institution_id: int
) -> list[SearchHit]:
    """Search hits for these revisions as this institution sees them, in the order given (one
    query, no ORM objects)."""
    if not revision_ids:
        return []
    rows = session.execute(
        select(*_hit_columns(institution_id))
        .join(Project, Project.id == ProjectRevision.project_id)
        .join(EmployerOrg, EmployerOrg.id == Project.employer_id)
        .where(ProjectRevision.id.in_(revision_ids))
    ).all()
    by_id = {row[1]: row for row in rows}
    return [_hit(by_id[i]) for i in revision_ids if i in by_id]


def _hit(row: Any) -> SearchHit:
    (project_id, revision_id, title, summary, employer, verified, discipline, hours, comp,
     amount, currency, team_size, capacity, work_mode, start, end, skills_text) = row
    return SearchHit(
        project_id=project_id, revision_id=revision_id, title=title, summary=summary,
        employer_name=employer, employer_verified=bool(verified),
        discipline=discipline, estimated_hours=hours, compensation_type=comp,
        pay_amount=amount, pay_currency=currency, team_size=team_size, capacity=capacity,
        work_mode=work_mode, window_start=start, window_end=end,
        skills=tuple(s.strip() for s in skills_text.split(",") if s.strip()),
    )


def get_listed(session: Session, *, institution_id: int, revision_id: int) -> ProjectRevision:
    """A revision this institution lists, with its rubric; NotFound for anything else."""
    is_listed = session.scalar(
        select(ProjectOffer.id).where(ProjectOffer.institution_id == institution_id,
                                      ProjectOffer.listed_revision_id == revision_id)
    )
    revision = None
    if is_listed is not None:
        revision = session.get(
            ProjectRevision, revision_id,
            options=[selectinload(ProjectRevision.skills),
                     selectinload(ProjectRevision.criteria).selectinload(RubricCriterion.levels),
                     selectinload(ProjectRevision.project).selectinload(Project.employer)],
        )
    if revision is None:
        raise NotFound("This project is not in your institution's catalog.",
                       title="Project not found")
    return revision

"""Recommendations: the institution's projects ranked by how well they fit someone's skills
and interests, each with its reason in words.

Skill overlap counts most (the share of the person's skills a project uses); interests found
in a project's text add a little. Only projects the institution lists are considered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from catalog.projects.models import CatalogListing, RevisionSkill
from catalog.search.fulltext import STOP_WORDS, index_first, text_match
from catalog.search.service import SearchHit, listed, load_hits
from catalog.skills.service import Skill, normalise_all, split_list

CANDIDATES = 200
INTEREST_WEIGHT = 0.3


@dataclass(frozen=True)
class Recommendation:
    hit: SearchHit
    score: float
    matched_skills: tuple[str, ...]
    new_skills: tuple[str, ...]
    matched_interests: tuple[str, ...]
    explanation: str


def recommend(
    session: Session, *, institution_id: int, skills: Sequence[str] | str,
    interests: Sequence[str] | str = (), limit: int = 10,
) -> list[Recommendation]:
    """Rank the institution's listed projects for these skills and interests, best first."""
    wanted = normalise_all(split_list(skills) if isinstance(skills, str) else skills)
    topics = _interests(interests)
    candidates = set(_skill_candidates(session, institution_id, wanted))
    touched = _interest_matches(session, institution_id, topics)
    candidates.update(touched)
    if not candidates:
        return []
    found = [
        _explain(hit, wanted, topics, touched.get(hit.revision_id, []))
        for hit in load_hits(session, sorted(candidates), institution_id=institution_id)
    ]
    found = [r for r in found if r.score > 0]
    found.sort(key=lambda r: (-r.score, -len(r.matched_skills), r.hit.title.lower()))
    return found[: max(1, limit)]


def _interests(interests: Sequence[str] | str) -> list[str]:
    items = split_list(interests) if isinstance(interests, str) else list(interests)
    topics: list[str] = []
    for item in items:
        topic = " ".join(item.split()).strip().lower()
        if topic and topic not in topics and topic not in STOP_WORDS:
            topics.append(topic[:60])
    return topics[:10]


def _skill_candidates(session: Session, institution_id: int, wanted: list[Skill]) -> dict[int, int]:
    if not wanted:
        return {}
    rows = session.execute(
        select(RevisionSkill.revision_id, func.count().label("n"))
        .join(CatalogListing, CatalogListing.revision_id == RevisionSkill.revision_id)
        .where(CatalogListing.institution_id == institution_id,
               RevisionSkill.slug.in_([s.slug for s in wanted]))
        .group_by(RevisionSkill.revision_id)
        .order_by(func.count().desc(), RevisionSkill.revision_id.desc())
        .limit(CANDIDATES)
    ).all()
    return {int(revision_id): int(n) for revision_id, n in rows}


def _interest_matches(
    session: Session, institution_id: int, topics: list[str]
) -> dict[int, list[str]]:
    """For each listed revision whose text mentions an interest, which interests (in order)."""
    touched: dict[int, list[str]] = {}
    for topic in topics:
        match = text_match(session, f'"{topic}"')
        if match is None:
            continue
        stmt: Select[Any] = match.apply(listed(institution_id), CatalogListing.revision_id)
        stmt = stmt.order_by(match.rank().desc(), CatalogListing.listed_at.desc())
        with index_first(session, match):
            found = session.scalars(stmt.limit(CANDIDATES)).all()
        for revision_id in found:
            touched.setdefault(revision_id, []).append(topic)
    return touched


def _explain(
    hit: SearchHit, wanted: list[Skill], topics: list[str], interests: list[str]
) -> Recommendation:
    have = {s.slug for s in normalise_all(hit.skills)}
    matched = [s for s in wanted if s.slug in have]
    wanted_slugs = {s.slug for s in wanted}
    new = [s for s in normalise_all(hit.skills) if s.slug not in wanted_slugs]
    skill_share = len(matched) / len(wanted) if wanted else 0.0
    interest_share = len(interests) / len(topics) if topics else 0.0
    score = round(skill_share + INTEREST_WEIGHT * interest_share, 4)
    sentences = []
    if wanted:
        if matched:
            sentences.append(
                f"Matches {len(matched)} of your {len(wanted)} skill"
                f"{'s' if len(wanted) != 1 else ''}: {_join([s.in_sentence for s in matched])}."
            )
        else:
            sentences.append("Uses none of the skills you listed.")
    if interests:
        noun = "interest" if len(interests) == 1 else "interests"
        sentences.append(f"Touches on your {noun} in {_join(interests, 'and')}.")
    if new and matched:
        sentences.append(f"You would also use {_join([s.in_sentence for s in new[:3]], 'and')}.")
    return Recommendation(
        hit=hit, score=score, matched_skills=tuple(s.label for s in matched),
        new_skills=tuple(s.label for s in new), matched_interests=tuple(interests),
        explanation=" ".join(sentences),
    )


def _join(items: Sequence[str], last: str = "") -> str:
    if not last or len(items) < 2:
        return ", ".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]

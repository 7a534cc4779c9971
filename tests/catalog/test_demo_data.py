"""The demo catalog: enough realistic, rule-abiding content for every page, seeded once."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.demo_data import content_for, seed_demo_catalog
from catalog.demo_projects import EMPLOYERS, PROJECTS
from catalog.employers.models import EmployerOrg
from catalog.institutions.models import Institution
from catalog.projects.guardrails import DEFAULT_POLICY, problems
from catalog.projects.models import Project
from catalog.recommend.service import recommend
from catalog.search.service import search_projects


def test_demo_content_is_big_enough_and_meets_every_rule() -> None:
    assert len(EMPLOYERS) >= 10 and len(PROJECTS) >= 40
    assert set(Counter(p.discipline for p in PROJECTS)) == {
        "business", "data", "design", "communications", "engineering", "social_science"}
    assert len({p.title for p in PROJECTS}) == len(PROJECTS)
    for index, demo in enumerate(PROJECTS):
        assert problems(content_for(demo, index, date.today()), DEFAULT_POLICY) == {}, demo.title


def test_seed_fills_the_catalog_queue_and_history_once(
    db: Session, institution: Institution
) -> None:
    summary = seed_demo_catalog(db, institution)
    db.commit()
    assert summary.created and summary.published == 35 and summary.in_review == 3
    assert db.scalar(select(func.count()).select_from(EmployerOrg)) == len(EMPLOYERS)
    statuses = Counter(db.scalars(select(Project.status)).all())
    assert statuses == {"published": 35, "in_review": 3, "changes_requested": 1, "draft": 1}
    assert len(curation.queue(db, institution_id=institution.id)) == 3
    verified = db.scalars(select(EmployerOrg.verified_at)).all()
    assert 0 < sum(v is not None for v in verified) < len(EMPLOYERS)

    page = search_projects(db, institution_id=institution.id, query="survey")
    assert page.total >= 3
    [best, *_] = recommend(db, institution_id=institution.id,
                           skills=["SQL", "Python", "Statistics"], interests=["transit"])
    assert best.explanation.startswith("Matches")

    again = seed_demo_catalog(db, institution)
    assert not again.created
    assert db.scalar(select(func.count()).select_from(Project)) == len(PROJECTS)

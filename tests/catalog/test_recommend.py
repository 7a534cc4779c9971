"""Recommendations rank by skill overlap and explain each match in words."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.recommend.service import recommend

from .conftest import new_project, publish


def _listed(db: Session, member: EmployerMember, inst: Institution, title: str,
            skills: list[str], brief: str = "A short brief.") -> None:
    publish(db, new_project(db, member, title=title, skills=skills, brief_md=brief),
            member, inst)


def test_ranks_by_overlap_and_says_why(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    _listed(db, member, institution, "Survey of bus riders",
            ["SQL", "Python", "Survey design", "Tableau"])
    _listed(db, member, institution, "Sales dashboard", ["SQL", "Excel"])
    _listed(db, member, institution, "Logo for a bakery", ["Branding"])
    found = recommend(db, institution_id=institution.id,
                      skills=["sql", "python3", "survey design", "R"], interests=[])
    assert [r.hit.title for r in found] == ["Survey of bus riders", "Sales dashboard"]
    best = found[0]
    assert best.explanation.startswith(
        "Matches 3 of your 4 skills: SQL, Python, survey design.")
    assert "You would also use Tableau." in best.explanation
    assert best.matched_skills == ("SQL", "Python", "Survey design")
    assert found[1].explanation.startswith("Matches 1 of your 4 skills: SQL.")


def test_interests_found_in_the_text_are_named(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    _listed(db, member, institution, "Clinic wait times", ["Excel"],
            brief="A public health clinic wants shorter queues.")
    _listed(db, member, institution, "Warehouse slotting", ["Excel"],
            brief="Pick paths in a warehouse.")
    found = recommend(db, institution_id=institution.id, skills="Excel",
                      interests="public health, climate")
    assert found[0].hit.title == "Clinic wait times"
    assert found[0].explanation == (
        "Matches 1 of your 1 skill: Excel. Touches on your interest in public health.")
    assert found[0].score > found[1].score


def test_interest_alone_can_recommend(
    db: Session, member: EmployerMember, institution: Institution
) -> None:
    _listed(db, member, institution, "Food bank rota", ["Operations"],
            brief="Plan volunteer shifts at a food bank.")
    [only] = recommend(db, institution_id=institution.id, skills=[], interests=["food banks"])
    assert only.explanation == "Touches on your interest in food banks."


def test_only_the_institutions_projects_are_recommended(
    db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution,
) -> None:
    _listed(db, member, other_institution, "Elsewhere", ["SQL"])
    assert recommend(db, institution_id=institution.id, skills=["SQL"]) == []


def test_nothing_to_go_on_gives_nothing(db: Session, institution: Institution) -> None:
    assert recommend(db, institution_id=institution.id, skills=[], interests=[]) == []


def test_recommendation_page(client: FlaskClient, db: Session, member: EmployerMember,
                             institution: Institution, launch: Any) -> None:
    _listed(db, member, institution, "Survey of bus riders", ["SQL", "Survey design"])
    launch(institution_id=institution.id)
    page = client.get("/catalog/recommend/?skills=SQL,+survey+design,+Python")
    assert page.status_code == 200
    assert "Matches 2 of your 3 skills: SQL, survey design." in page.text

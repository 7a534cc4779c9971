"""Search over the real database: text, every filter, sorting, pages, and institutions kept
apart. Runs on SQLite (FTS5) and on PostgreSQL (tsvector) alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution
from catalog.search.fulltext import fts5_expression, index_first, text_match
from catalog.search.service import SearchFilters, SortOrder, search_projects

from .conftest import new_project, publish


@pytest.fixture
def catalog(db: Session, member: EmployerMember, institution: Institution) -> dict[str, int]:
    """Five listed projects with distinct facts; returns title -> revision id."""
    specs: list[dict[str, Any]] = [
        dict(title="Volunteer survey analysis", summary="Analyse the spring survey.",
             brief_md="Our food bank asked 400 volunteers about their shifts.",
             skills=["Survey design", "Excel"], discipline="social_science",
             estimated_hours=20, work_mode="remote", team_size=1,
             pay_amount=Decimal("500"), window_start=date(2026, 1, 1),
             window_end=date(2026, 3, 31)),
        dict(title="Brand refresh for a bike shop", summary="New logo and shop signs.",
             brief_md="A neighbourhood bike shop wants a friendlier look.",
             skills=["Branding", "Figma"], discipline="design", estimated_hours=40,
             work_mode="on_site", location="Leeds", team_size=3,
             compensation_type="stipend", pay_amount=Decimal("900"),
             window_start=date(2026, 4, 1), window_end=date(2026, 6, 30)),
        dict(title="Churn model for a credit union", summary="Predict who leaves.",
             brief_md="Members leave after fee changes; find out who and why.",
             skills=["Python", "SQL", "Statistics"], discipline="data", estimated_hours=60,
             work_mode="hybrid", location="Denver", team_size=2,
             pay_amount=Decimal("1500"), window_start=date(2026, 2, 1),
             window_end=date(2026, 5, 31)),
        dict(title="Energy audit of a museum", summary="Where does the heat go?",
             brief_md="A museum's heating bill doubled. Survey the building sensors.",
             skills=["Energy modelling", "Excel"], discipline="engineering",
             estimated_hours=30, work_mode="remote", team_size=1,
             compensation_type="unpaid", pay_amount=None, pay_currency="",
             course_tied=True, credit_bearing=True, time_boxed=True,
             window_start=date(2026, 1, 15), window_end=date(2026, 2, 15)),
        dict(title="Press kit for a theatre", summary="Write the season's press kit.",
             brief_md="Interview the director and write releases.",
             skills=["Public relations", "Copywriting"], discipline="communications",
             estimated_hours=15, work_mode="remote", team_size=1,
             pay_amount=Decimal("400"), window_start=date(2026, 3, 1),
             window_end=date(2026, 4, 30)),
    ]
    ids = {}
    for spec in specs:
        project = publish(db, new_project(db, member, **spec), member, institution)
        ids[spec["title"]] = project.live.id  # type: ignore[union-attr]
    return ids


def _titles(db: Session, institution: Institution, query: str = "", **kw: Any) -> list[str]:
    filters = kw.pop("filters", None)
    page = search_projects(db, institution_id=institution.id, query=query, filters=filters,
                           **kw)
    return [hit.title for hit in page.hits]


def test_text_matches_title_summary_brief_and_skills(
    db: Session, institution: Institution, catalog: dict[str, int]
) -> None:
    assert _titles(db, institution, "bike") == ["Brand refresh for a bike shop"]
    assert _titles(db, institution, "predict") == ["Churn model for a credit union"]
    assert _titles(db, institution, "doubled") == ["Energy audit of a museum"]
    assert _titles(db, institution, "copywriting") == ["Press kit for a theatre"]


def test_words_are_stemmed_and_all_must_match(
    db: Session, institution: Institution, catalog: dict[str, int]
) -> None:
    assert _titles(db, institution, "volunteering analyses") == ["Volunteer survey analysis"]
    assert _titles(db, institution, "museum bike") == []


def test_title_matches_rank_above_brief_matches(
    db: Session, institution: Institution, catalog: dict[str, int]
) -> None:
    # "survey" is in one title and in another project's brief only.
    assert _titles(db, institution, "survey") == ["Volunteer survey analysis",
                                                  "Energy audit of a museum"]


def test_web_search_syntax(db: Session, institution: Institution,
                           catalog: dict[str, int]) -> None:
    assert set(_titles(db, institution, "bike or museum")) == {
        "Brand refresh for a bike shop", "Energy audit of a museum"}
    assert _titles(db, institution, "survey -museum") == ["Volunteer survey analysis"]
    assert _titles(db, institution, '"press kit"') == ["Press kit for a theatre"]
    assert _titles(db, institution, 'the of "') == _titles(db, institution, "")  # no words


@pytest.mark.parametrize(("filters", "expected"), [
    (SearchFilters(skills=("excel",)), {"Volunteer survey analysis", "Energy audit of a museum"}),
    (SearchFilters(skills=("Excel", "energy modeling")), {"Energy audit of a museum"}),
    (SearchFilters(disciplines=("design", "data")),
     {"Brand refresh for a bike shop", "Churn model for a credit union"}),
    (SearchFilters(hours_min=30, hours_max=40),
     {"Brand refresh for a bike shop", "Energy audit of a museum"}),
    (SearchFilters(compensation=("unpaid", "stipend")),
     {"Brand refresh for a bike shop", "Energy audit of a museum"}),
    (SearchFilters(team_size=2), {"Churn model for a credit union"}),
    (SearchFilters(remote_only=True), {"Volunteer survey analysis", "Energy audit of a museum",
                                       "Press kit for a theatre"}),
    (SearchFilters(open_on=date(2026, 4, 15)),
     {"Brand refresh for a bike shop", "Churn model for a credit union",
      "Press kit for a theatre"}),
])
@pytest.mark.parametrize("query", ["", "survey or bike or churn or museum or press"])
def test_each_filter(db: Session, institution: Institution, catalog: dict[str, int],
                     filters: SearchFilters, expected: set[str], query: str) -> None:
    # With words (which match all five) PostgreSQL tests the equality filters in the text
    # index (catalog_listing.search_facets), without them on the rows: same answers.
    assert set(_titles(db, institution, query, filters=filters)) == expected


def test_text_and_two_filters_together(db: Session, institution: Institution,
                                       catalog: dict[str, int]) -> None:
    filters = SearchFilters(remote_only=True, compensation=("paid",))
    assert _titles(db, institution, "survey", filters=filters) == ["Volunteer survey analysis"]


def test_sort_orders(db: Session, institution: Institution, catalog: dict[str, int]) -> None:
    assert _titles(db, institution, sort=SortOrder.HOURS_ASC)[:2] == [
        "Press kit for a theatre", "Volunteer survey analysis"]
    assert _titles(db, institution, sort=SortOrder.HOURS_DESC)[0] == (
        "Churn model for a credit union")
    assert _titles(db, institution, sort=SortOrder.STARTS_SOON)[:2] == [
        "Volunteer survey analysis", "Energy audit of a museum"]
    newest = _titles(db, institution, sort=SortOrder.NEWEST)
    assert newest[0] == "Press kit for a theatre" and newest[-1] == "Volunteer survey analysis"
    # Relevance without words falls back to newest.
    page = search_projects(db, institution_id=institution.id, sort=SortOrder.RELEVANCE)
    assert page.sort == SortOrder.NEWEST and [h.title for h in page.hits] == newest


def test_pagination(db: Session, institution: Institution, catalog: dict[str, int]) -> None:
    seen = []
    for number in (1, 2, 3):
        page = search_projects(db, institution_id=institution.id, sort=SortOrder.HOURS_ASC,
                               page=number, per_page=2)
        assert page.total == 5 and page.pages == 3
        seen += [hit.title for hit in page.hits]
    assert len(seen) == 5 and len(set(seen)) == 5
    past = search_projects(db, institution_id=institution.id, page=9, per_page=2)
    assert past.hits == [] and past.total == 5
    capped = search_projects(db, institution_id=institution.id, per_page=500)
    assert capped.per_page == 50


def test_hits_carry_what_a_result_card_shows(
    db: Session, institution: Institution, catalog: dict[str, int]
) -> None:
    [hit] = search_projects(db, institution_id=institution.id, query="churn").hits
    assert hit.revision_id == catalog["Churn model for a credit union"]
    assert hit.employer_name == "Harbor Analytics" and not hit.employer_verified
    assert hit.skills == ("Python", "SQL", "Statistics")
    assert hit.pay_amount == Decimal("1500.00") and hit.compensation_label == "Paid"


def test_only_projects_approved_for_the_institution_are_found(
    db: Session, member: EmployerMember, institution: Institution,
    other_institution: Institution,
) -> None:
    publish(db, new_project(db, member, title="Ours only"), member, institution)
    publish(db, new_project(db, member, title="Theirs only"), member, other_institution)
    new_project(db, member, title="Draft never submitted")
    assert _titles(db, institution) == ["Ours only"]
    assert _titles(db, other_institution) == ["Theirs only"]
    assert _titles(db, institution, "only") == ["Ours only"]
    assert _titles(db, other_institution, "only", filters=SearchFilters(
        disciplines=("data",))) == ["Theirs only"]


@pytest.mark.parametrize("autocommit", [False, True])
def test_text_searches_are_planned_for_their_words(db: Session, autocommit: bool) -> None:
    """PostgreSQL: the index and custom plans inside the block, the settings restored after,
    also on an autocommit connection (where a transaction-local setting would not last)."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    match = text_match(db, "survey")
    with db.get_bind().connect() as conn:
        if autocommit:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        session = Session(bind=conn)
        show = sql_text("SELECT current_setting('enable_seqscan'), "
                        "current_setting('plan_cache_mode')")
        before = session.execute(show).one()
        with index_first(session, match):
            assert tuple(session.execute(show).one()) == ("off", "force_custom_plan")
        assert session.execute(show).one() == before
        session.close()


def test_http_search_for_a_launched_student(
    client: FlaskClient, institution: Institution, other_institution: Institution,
    catalog: dict[str, int], launch: Any,
) -> None:
    launch(institution_id=institution.id)
    page = client.get("/catalog/?q=survey&remote=on&compensation=paid&sort=relevance")
    assert page.status_code == 200
    assert "Volunteer survey analysis" in page.text and "1\u20131 of 1 project" in page.text
    revision_id = catalog["Volunteer survey analysis"]
    detail = client.get(f"/catalog/projects/{revision_id}")
    assert detail.status_code == 200 and "food bank asked 400 volunteers" in detail.text
    bad = client.get("/catalog/?hours_min=ten&hours_max=5")
    assert bad.status_code == 422 and 'id="f-hours_min-error"' in bad.text


def test_a_student_of_another_institution_cannot_open_the_project(
    client: FlaskClient, other_institution: Institution, catalog: dict[str, int], launch: Any
) -> None:
    launch(institution_id=other_institution.id)
    assert client.get("/catalog/?q=survey").text.count('class="card"') == 0
    revision_id = catalog["Volunteer survey analysis"]
    assert client.get(f"/catalog/projects/{revision_id}").status_code == 404


def test_catalog_needs_a_launch(client: FlaskClient) -> None:
    assert client.get("/catalog/").status_code == 401


def test_pager_links_keep_the_launch_token_and_filters(
    client: FlaskClient, db: Session, institution: Institution, catalog: dict[str, int],
    launch: Any,
) -> None:
    launch(institution_id=institution.id)
    page = client.get("/catalog/?per_page=2&discipline=design&discipline=data"
                      "&discipline=engineering")
    assert 'rel="next"' in page.text and "discipline=design" in page.text


@pytest.mark.parametrize(("typed", "expression"), [
    ("survey analysis", '"survey" "analysis"'),
    ('"press kit" for', '"press kit"'),
    ("bike or museum", '"bike" OR "museum"'),
    ("survey -museum", '("survey") NOT "museum"'),
    ("-museum", ""),
    ("the and of", ""),
    ('a"b OR', '"b"'),
    ("e-commerce", '"e commerce"'),
])
def test_fts5_expressions_cannot_be_malformed(typed: str, expression: str) -> None:
    assert fts5_expression(typed) == expression

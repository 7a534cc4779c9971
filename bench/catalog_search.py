"""Catalog search latency on PostgreSQL and SQLite with 100,000 generated projects.

    .venv/bin/python bench/catalog_search.py                 # both engines
    .venv/bin/python bench/catalog_search.py --engine sqlite --projects 20000

Loads generated projects (all listed for one institution, 30% also for a second), then times
typical searches through ``search_projects``: a text query plus two filters, page 1 and
page 50 (20 per page; with a small --projects, the deepest page every query reaches), each
repeated. Prints the load time, then p50/p95 per engine and page, and a broad one-word
search (not part of the target). Targets: p95 under 20 ms on PostgreSQL and under 50 ms on
SQLite. Uses its own databases: PostgreSQL ``microbridge_bench_catalog`` (its own:
bench/_own.py) and a SQLite file under .bench/. A smoke run:

    .venv/bin/python bench/catalog_search.py --projects 2000 --repeats 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, whatever is installed

from bench import _own  # noqa: E402
from catalog.employers.models import EmployerOrg  # noqa: E402
from catalog.institutions.models import Institution  # noqa: E402
from catalog.projects.listing import FILL_VECTORS  # noqa: E402
from catalog.projects.models import (  # noqa: E402
    CatalogListing,
    Project,
    ProjectOffer,
    ProjectRevision,
    RevisionSkill,
)
from catalog.search.service import SearchFilters, search_projects  # noqa: E402
from catalog.skills.service import slug_of  # noqa: E402
from config.database import make_engine  # noqa: E402
from config.migrate import upgrade  # noqa: E402

PG_URL = f"{_own.PG_SERVER}/{_own.database_name('catalog')}"
DEEP_PAGE = 50
SQLITE_PATH = ROOT / ".bench" / "catalog_search.sqlite3"

DISCIPLINES = {
    "data": (["dashboard", "forecast", "survey analysis", "churn model", "data audit",
              "pricing analysis", "cohort study"],
             ["SQL", "Python", "Excel", "Statistics", "Tableau", "Data cleaning", "Forecasting",
              "Survey design"]),
    "business": (["market entry plan", "competitor scan", "pricing review", "process map",
                  "business case", "supplier review"],
                 ["Market research", "Financial modelling", "Excel", "Process mapping",
                  "Competitive analysis", "Pricing strategy"]),
    "design": (["brand refresh", "onboarding redesign", "usability study", "service blueprint",
                "accessibility audit", "prototype"],
               ["Figma", "UX research", "Prototyping", "Accessibility", "Branding",
                "Usability testing", "Visual design"]),
    "communications": (["newsletter plan", "press kit", "social campaign", "content audit",
                        "video series", "annual report"],
                       ["Copywriting", "Social media", "Public relations", "Editing",
                        "Content strategy", "Video production"]),
    "engineering": (["energy audit", "sensor prototype", "API integration", "test suite",
                     "CAD model", "cloud migration plan"],
                    ["Python", "CAD", "Energy modelling", "APIs", "Testing", "Electronics",
                     "JavaScript"]),
    "social_science": (["community survey", "policy brief", "program evaluation",
                        "interview study", "literature review", "needs assessment"],
                       ["Qualitative research", "Interviewing", "Policy analysis",
                        "Survey design", "Program evaluation", "Report writing"]),
}
SECTORS = ["food bank", "credit union", "city library", "bike shop", "clinic", "school district",
           "museum", "solar installer", "theatre", "housing nonprofit", "coffee roaster",
           "logistics startup", "hospital", "farm cooperative", "software company"]
# Brief text: words drawn with Zipf-like weights, so a few words are common and most are
# rare, as in real writing (uniform draws from a small pool would put every word in most
# briefs).
_FILLER_TEXT = ("customers members volunteers staff team report weekly season growth retention "
          "quality cost timeline stakeholders findings recommendations budget region service "
          "pilot launch metrics feedback partners community students mentor review scope goals "
          "results evidence insight decision plan risk schedule inventory donors patients "
          "visitors riders tenants subscribers farmers suppliers vendors clients audience "
          "campaign outreach onboarding signups churn revenue margin pricing demand forecast "
          "map route fleet energy carbon waste water lighting heating sensors prototype "
          "interviews survey workshop persona journey wireframe accessibility brand logo "
          "newsletter video podcast press social website app database spreadsheet dashboard "
          "model scenario benchmark audit policy grant compliance training handbook checklist "
          "process workflow bottleneck queue capacity staffing shifts rota safety maintenance "
          "equipment repairs warranty returns shipping packaging labels catalogue menu recipes "
          "events tickets membership renewals fundraising appeal gala sponsorship volunteers "
          "youth seniors families neighbourhood housing transport library museum clinic "
          "pharmacy theatre gallery festival market harbour river park trail garden")
FILLER = _FILLER_TEXT.split()
# Real briefs draw on thousands of words: the domain words above sit among 3,000 other
# (made-up) words, spread over the first 1,500 ranks of a Zipf distribution, so that a
# domain word appears in a few percent of briefs, as "dashboard" or "survey" would.
VOCABULARY = [f"w{n:04d}" for n in range(3000)]
for _i, _word in enumerate(FILLER):
    VOCABULARY.insert(10 * _i + 5, _word)
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]

# Typical searches: words plus two filters, each with at least 50 pages of 20 results, so
# "page 50" is a real page (a page past the end would only measure the extra count).
QUERIES: list[tuple[str, SearchFilters]] = [
    ("dashboard", SearchFilters(disciplines=("data",), compensation=("paid",))),
    ("survey analysis", SearchFilters(remote_only=True, hours_min=10, hours_max=40)),
    ("brand", SearchFilters(disciplines=("design",), team_size=2)),
    ("community", SearchFilters(compensation=("paid", "stipend"), open_on=date(2026, 3, 1))),
    ("inventory", SearchFilters(disciplines=("data", "business"), remote_only=True)),
    ("energy audit", SearchFilters(disciplines=("engineering",), hours_max=60)),
    ("food bank", SearchFilters(remote_only=True, hours_max=60)),
    ("budget", SearchFilters(skills=("Excel",), remote_only=True)),
]


def generate(engine: Engine, n: int, seed: int = 7) -> None:
    """Insert n listed projects (with one published revision each) in bulk."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        inst_a = conn.execute(insert(Institution).values(
            name="Bench University", slug="bench-u", created_at=now)).inserted_primary_key[0]
        inst_b = conn.execute(insert(Institution).values(
            name="Other College", slug="other-c", created_at=now)).inserted_primary_key[0]
        conn.execute(insert(EmployerOrg), [
            {"id": i, "name": f"Employer {i}", "slug": f"employer-{i}", "website": "",
             "about": "", "verification_note": "", "created_at": now,
             "verified_at": now if i % 3 else None}
            for i in range(1, 301)
        ])
    batch = 5000
    for start in range(1, n + 1, batch):
        ids = range(start, min(start + batch, n + 1))
        projects, revisions, skills, offers, listings = [], [], [], [], []
        for i in ids:
            projects.append({"id": i, "employer_id": rng.randint(1, 300), "status": "published",
                             "created_at": now, "updated_at": now})
            revision, revision_skills = _revision(rng, i, now)
            revisions.append(revision)
            skills += revision_skills
            listed = now - timedelta(minutes=n - i)
            for inst in [inst_a, inst_b] if rng.random() < 0.3 else [inst_a]:
                offers.append({"project_id": i, "institution_id": inst, "listed_revision_id": i,
                               "listed_at": listed, "last_decision": "approved",
                               "created_at": now})
                listings.append(_listing(revision, inst, listed))
        with engine.begin() as conn:
            conn.execute(insert(Project), projects)
            conn.execute(insert(ProjectRevision), revisions)
            conn.execute(insert(RevisionSkill), skills)
            conn.execute(insert(ProjectOffer), offers)
            conn.execute(insert(CatalogListing), listings)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(FILL_VECTORS)
    # Steady state: statistics gathered and (PostgreSQL) the visibility map set by vacuum,
    # as autovacuum would leave a table that is read far more than written.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def _listing(revision: dict[str, Any], institution_id: int, listed: datetime) -> dict[str, Any]:
    """The search projection row that catalog.projects.listing.sync would write."""
    names = ("discipline", "estimated_hours", "compensation_type", "team_size", "work_mode",
             "window_start", "window_end")
    return {"institution_id": institution_id, "revision_id": revision["id"],
            "project_id": revision["project_id"], "listed_at": listed,
            **{name: revision[name] for name in names}}


def _revision(rng: random.Random, i: int, now: datetime) -> tuple[dict[str, Any],
                                                                   list[dict[str, Any]]]:
    discipline = rng.choice(list(DISCIPLINES))
    topics, skill_pool = DISCIPLINES[discipline]
    topic, sector = rng.choice(topics), rng.choice(SECTORS)
    chosen = rng.sample(skill_pool, rng.randint(2, 5))
    hours = rng.choice([10, 15, 20, 25, 30, 40, 50, 60, 80])
    comp = rng.choices(["paid", "stipend", "unpaid"], weights=[6, 2, 2])[0]
    start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 180))
    brief = " ".join(rng.choices(VOCABULARY, weights=WEIGHTS, k=rng.randint(150, 300)))
    revision = {
        "id": i, "project_id": i, "number": 1, "state": "published",
        "title": f"{topic.capitalize()} for a {sector}",
        "summary": f"Help a {sector} with a {topic} in {hours} hours.",
        "brief_md": f"## Context\nA {sector} needs a {topic}. {brief}",
        "deliverables": ["A short report", "A presentation"],
        "skills_text": ", ".join(chosen), "discipline": discipline, "estimated_hours": hours,
        "work_mode": rng.choice(["remote", "remote", "hybrid", "on_site"]), "location": "",
        "compensation_type": comp,
        "pay_amount": None if comp == "unpaid" else 25 * hours, "pay_currency":
            "" if comp == "unpaid" else "USD",
        "course_tied": comp == "unpaid", "credit_bearing": comp == "unpaid",
        "time_boxed": comp == "unpaid", "team_size": rng.randint(1, 4),
        "capacity": rng.randint(1, 10), "window_start": start,
        "window_end": start + timedelta(days=rng.randint(30, 120)), "created_by": "bench",
        "submitted_at": now, "published_at": now, "created_at": now,
    }
    skills = [{"revision_id": i, "position": p, "slug": slug_of(s), "label": s,
               "in_taxonomy": True} for p, s in enumerate(chosen)]
    return revision, skills


def prepare(engine_name: str, n: int) -> Engine:
    if engine_name == "postgresql":
        url = _own.fresh_database("catalog")
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH.resolve()}"
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    generate(engine, n)
    print(f"{engine_name}: loaded {n} projects in {time.perf_counter() - started:.1f} s")
    return engine


def measure(engine: Engine, repeats: int) -> dict[int, list[float]]:
    """Page 1 and page 50 of each query (with fewer --projects, the deepest page all reach)."""
    with Session(engine) as session:
        institution_id = session.scalar(text("SELECT id FROM institution WHERE slug='bench-u'"))
        assert institution_id is not None
        reach = min(search_projects(session, institution_id=institution_id, query=query,
                                    filters=filters).pages for query, filters in QUERIES)
        pages = sorted({1, min(DEEP_PAGE, reach)})
        timings: dict[int, list[float]] = {page: [] for page in pages}
        for page in pages:  # warm-up
            for query, filters in QUERIES:
                search_projects(session, institution_id=institution_id, query=query,
                                filters=filters, page=page)
        for _ in range(repeats):
            for page in pages:
                for query, filters in QUERIES:
                    started = time.perf_counter()
                    result = search_projects(session, institution_id=institution_id,
                                             query=query, filters=filters, page=page)
                    timings[page].append((time.perf_counter() - started) * 1000)
                    assert result.hits, (query, filters, page)
            session.rollback()
    return timings


def measure_broad(engine: Engine, repeats: int) -> list[float]:
    """A worst case for ranking: a word in a third of all briefs, no filters."""
    timings = []
    with Session(engine) as session:
        institution_id = session.scalar(text("SELECT id FROM institution WHERE slug='bench-u'"))
        assert institution_id is not None
        for i in range(repeats + 1):
            started = time.perf_counter()
            search_projects(session, institution_id=institution_id, query="report", page=1)
            if i:
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["both", "postgresql", "sqlite"], default="both")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--no-load", action="store_true", help="reuse the loaded databases")
    args = parser.parse_args()
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines:
        lock = _own.single_run("catalog")  # noqa: F841 (held until the process ends)
    targets = {"postgresql": 20.0, "sqlite": 50.0}
    for name in engines:
        if args.no_load:
            url = PG_URL if name == "postgresql" else f"sqlite:///{SQLITE_PATH.resolve()}"
            engine = make_engine(url)
        else:
            engine = prepare(name, args.projects)
        timings = measure(engine, args.repeats)
        for page, values in timings.items():
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            verdict = "ok" if p95 < targets[name] else "OVER TARGET"
            print(f"{name:10} page {page:>2}: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  "
                  f"(target p95 < {targets[name]:.0f} ms: {verdict}; {len(values)} searches)")
        broad = measure_broad(engine, args.repeats)
        print(f"{name:10} broad   : p50 {statistics.median(broad):6.2f} ms  p95 "
              f"{percentile(broad, 0.95):6.2f} ms  (one common word, no filters: "
              "ranks every match; not part of the target)")
        engine.dispose()


if __name__ == "__main__":
    main()

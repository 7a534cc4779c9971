"""Rows for grading tests: an employer project with a rubric, a course and a placement tied
to a graded link in the emulated LMS, and the people who launch from it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.projects.models import (
    Project,
    ProjectRevision,
    RevisionSkill,
    RubricCriterion,
    RubricLevel,
)
from grading.people.models import Course, Person
from grading.placements.models import Placement
from lti_tool.demo_lms.platform import Platform
from tests.support.lms import Installed


@dataclass
class Employer:
    org: EmployerOrg
    member: EmployerMember
    revision: ProjectRevision


def make_project(
    db: Session, *, employer_name: str = "Acme Analytics", team_size: int = 1,
    email: str | None = None,
) -> Employer:
    slug = employer_name.lower().replace(" ", "-") + "-" + secrets.token_hex(3)
    org = EmployerOrg(name=employer_name, slug=slug, website="https://acme.example")
    db.add(org)
    db.flush()
    member = EmployerMember(employer_id=org.id, email=email or f"reviewer-{slug}@acme.example",
                            name="Rita Reviewer")
    project = Project(employer_id=org.id, status="published")
    db.add_all([member, project])
    db.flush()
    revision = ProjectRevision(
        project_id=project.id, number=1, state="published", title="Market sizing for a café chain",
        summary="Size the market for a new café chain.",
        brief_md="## Brief\n\nEstimate the **market size**.",
        deliverables=["A short report", "A spreadsheet"],
        skills_text="Market research, Excel", discipline="business", estimated_hours=20,
        compensation_type="paid", pay_amount=Decimal("500"), pay_currency="USD",
        team_size=team_size, capacity=10, window_start=date(2026, 1, 1), window_end=date(2027, 12, 31),
    )
    db.add(revision)
    db.flush()
    db.add_all([
        RevisionSkill(revision_id=revision.id, position=0, slug="market-research", label="Market research"),
        RevisionSkill(revision_id=revision.id, position=1, slug="excel", label="Excel"),
    ])
    for position, title in enumerate(("Analysis", "Communication")):
        criterion = RubricCriterion(revision_id=revision.id, position=position, title=title)
        db.add(criterion)
        db.flush()
        for level_position, (label, points) in enumerate((("Weak", 1), ("Good", 3), ("Excellent", 5))):
            db.add(RubricLevel(criterion_id=criterion.id, position=level_position, label=label,
                               points=points))
    db.commit()
    return Employer(org, member, revision)


def course_row(db: Session, installed: Installed) -> Course:
    found = db.scalar(select(Course).where(
        Course.platform_id == installed.row_id, Course.context_id == installed.course.context_id
    ))
    if found is None:
        found = Course(platform_id=installed.row_id, deployment_id=installed.tool.deployment_ids[0],
                       context_id=installed.course.context_id, title=installed.course.title)
        db.add(found)
        db.commit()
    return found


def person_row(db: Session, installed: Installed, user: Any) -> Person:
    found = db.scalar(select(Person).where(
        Person.platform_id == installed.row_id, Person.sub == user.user_id
    ))
    if found is None:
        found = Person(platform_id=installed.row_id, sub=user.user_id,
                       name=f"{user.given_name} {user.family_name}", email=user.email or "")
        db.add(found)
        db.commit()
    return found


@dataclass
class Placed:
    placement: Placement
    link: Any
    employer: Employer


def place(
    db: Session, installed: Installed, *, employer: Employer | None = None, team_size: int = 1,
    score_maximum: float = 100, release_mode: str = "instructor",
    due_at: datetime | None = None,
) -> Placed:
    """A graded link in the emulated course and the placement behind it."""
    lms: Platform = installed.platform
    employer = employer or make_project(db, team_size=team_size)
    link = lms.add_resource_link(installed.course, installed.tool, title="Café market sizing",
                                 score_maximum=score_maximum)
    course = course_row(db, installed)
    placement = Placement(
        course_id=course.id, resource_link_id=link.id, project_revision_id=employer.revision.id,
        title="Café market sizing", score_maximum=score_maximum, team_size=team_size,
        release_mode=release_mode, line_item_url=lms.line_item_url(link.line_item_id),
        due_at=due_at if due_at is not None else datetime.now().astimezone() + timedelta(days=14),
    )
    db.add(placement)
    db.commit()
    return Placed(placement, link, employer)

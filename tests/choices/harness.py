"""A course in the emulated LMS with a choice set placed at one graded link, several employer
projects to choose from, and people who use it through real launches."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.employers.models import EmployerMember, EmployerOrg
from catalog.projects.models import Project, ProjectRevision, RevisionSkill
from config.settings import Settings
from grading.choices import service as choices
from grading.choices.models import ChoiceSet
from grading.placements.service import PlacementSettings
from tests.support.live import live_tool
from tests.support.lms import install_tool, running_platform
from tests.work.factories import Employer, Placed, course_row
from tests.work.harness import LaunchedUser, School

TODAY = date.today()


def make_revision(
    db: Session, *, title: str, skills: tuple[str, ...] = ("Excel",), hours: int = 20,
    capacity: int = 10, starts: date = date(2026, 1, 1), ends: date = date(2030, 12, 31),
    discipline: str = "business", team_size: int = 1, employer_name: str = "Acme Analytics",
) -> Employer:
    slug = employer_name.lower().replace(" ", "-") + "-" + secrets.token_hex(3)
    org = EmployerOrg(name=employer_name, slug=slug, website="https://acme.example")
    db.add(org)
    db.flush()
    member = EmployerMember(employer_id=org.id, email=f"lead-{slug}@acme.example", name="Lee Lead")
    project = Project(employer_id=org.id, status="published")
    db.add_all([member, project])
    db.flush()
    revision = ProjectRevision(
        project_id=project.id, number=1, state="published", title=title, summary=f"{title}: a short summary.",
        brief_md=f"## {title}\n\nThe **brief** of {title}.", deliverables=["A report"],
        skills_text=", ".join(skills), discipline=discipline, estimated_hours=hours,
        compensation_type="paid", pay_amount=Decimal("500"), pay_currency="USD", team_size=team_size,
        capacity=capacity, window_start=starts, window_end=ends,
    )
    db.add(revision)
    db.flush()
    for position, label in enumerate(skills):
        db.add(RevisionSkill(revision_id=revision.id, position=position,
                             slug=label.lower().replace(" ", "-"), label=label))
    db.commit()
    return Employer(org, member, revision)


@dataclass
class ChoiceSchool(School):
    employers: list[Employer] | None = None

    @property
    def choice_set(self) -> ChoiceSet:
        self.db.expire_all()
        found = self.db.scalar(select(ChoiceSet).where(ChoiceSet.placement_id == self.placement_id))
        assert found is not None
        return found

    def option_ids(self) -> dict[str, int]:
        return {o.placement.title: o.id for o in self.choice_set.options}

    def launch(self, user: Any, **options: Any) -> LaunchedUser:
        launched = super().launch(user, **options)
        page = launched.get(f"/work/choices/{self.placement_id}", follow_redirects=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        assert found, page.get_data(as_text=True)[:1000]
        launched._csrf = unescape(found.group(1))
        return launched


def place_set(
    db: Session, school: School, employers: list[Employer], *, title: str = "Choose your project"
) -> Any:
    """Another choice set of the same projects at a new link of the school's course."""
    link = school.lms.add_resource_link(school.installed.course, school.installed.tool, title=title,
                                        score_maximum=100)
    course = course_row(db, school.installed)
    anchor = choices.create(
        db, course_id=course.id, activity=PlacementSettings(title=title),
        choices=[(e.revision, PlacementSettings(title=e.revision.title, team_size=e.revision.team_size))
                 for e in employers],
        created_by_person_id=None,
    )
    anchor.resource_link_id = link.id
    anchor.line_item_url = school.lms.line_item_url(link.line_item_id)
    db.commit()
    return anchor, link


@contextmanager
def choice_course(db: Session, settings: Settings, projects: list[dict[str, Any]]) -> Iterator[ChoiceSchool]:
    with running_platform("canvas") as lms, live_tool(settings) as live:
        installed = install_tool(db, lms, tool_base=live.base_url)
        employers = [make_revision(db, **spec) for spec in projects]
        base = School(live.app, db, lms, live, installed, Placed(None, None, employers[0]))  # type: ignore[arg-type]
        anchor, link = place_set(db, base, employers)
        yield ChoiceSchool(live.app, db, lms, live, installed, Placed(anchor, link, employers[0]),
                           employers=employers)

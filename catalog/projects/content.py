"""What an employer says about a project, validated, before it touches the database.

Forms parse text into these values; services write them into a revision. Keeping the values
apart from the rows means a form with any error saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalog.projects.models import ProjectRevision
from catalog.skills.service import Skill

MAX_TEAM_SIZE = 6
MAX_CRITERIA = 8
MAX_LEVELS = 5


@dataclass(frozen=True)
class LevelInput:
    label: str
    points: int
    description: str = ""


@dataclass(frozen=True)
class CriterionInput:
    title: str
    levels: tuple[LevelInput, ...]
    description: str = ""

    @property
    def max_points(self) -> int:
        return max((level.points for level in self.levels), default=0)


@dataclass(frozen=True)
class ProjectContent:
    title: str
    summary: str
    brief_md: str
    deliverables: tuple[str, ...]
    skills: tuple[Skill, ...]
    discipline: str
    estimated_hours: int
    work_mode: str
    compensation_type: str
    team_size: int
    capacity: int
    window_start: date
    window_end: date
    rubric: tuple[CriterionInput, ...]
    location: str = ""
    pay_amount: Decimal | None = None
    pay_currency: str = ""
    course_tied: bool = False
    credit_bearing: bool = False
    time_boxed: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, revision: ProjectRevision) -> ProjectContent:
        """The content of an existing revision (to copy it, or to check it again)."""
        return cls(
            title=revision.title, summary=revision.summary, brief_md=revision.brief_md,
            deliverables=tuple(revision.deliverables),
            skills=tuple(Skill(s.label, s.slug, s.in_taxonomy) for s in revision.skills),
            discipline=revision.discipline, estimated_hours=revision.estimated_hours,
            work_mode=revision.work_mode, location=revision.location,
            compensation_type=revision.compensation_type, pay_amount=revision.pay_amount,
            pay_currency=revision.pay_currency, course_tied=revision.course_tied,
            credit_bearing=revision.credit_bearing, time_boxed=revision.time_boxed,
            team_size=revision.team_size, capacity=revision.capacity,
            window_start=revision.window_start, window_end=revision.window_end,
            rubric=tuple(
                CriterionInput(
                    title=c.title, description=c.description,
                    levels=tuple(LevelInput(lv.label, lv.points, lv.description)
                                 for lv in c.levels),
                )
                for c in revision.criteria
            ),
        )

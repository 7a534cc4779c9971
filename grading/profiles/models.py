"""A student's profile: what they can do, want, and have time for, in their own words.

Owned by the student and filled in only by them (nothing is prefilled from the LMS or from
work). Matching reads it to rank a choice set for them; an employer never sees it unless the
student consented (``shared_with_employers_at``), under the same FERPA rules as their work.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import JSON, Date, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime, utcnow


class RatedSkill(TypedDict):
    label: str
    slug: str
    level: int
    """Self-rated: 1 beginner, 2 working, 3 confident."""


class StudentProfile(CreatedMixin, Base):
    __tablename__ = "student_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    skills: Mapped[list[RatedSkill]] = mapped_column(JSON, default=list)
    """Skills from the project taxonomy (or tidied free additions), each with a level."""
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    career_goals: Mapped[str] = mapped_column(Text, default="")
    disciplines: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Discipline values (catalog.projects.models.Discipline) the student wants to work in."""
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    shared_with_employers_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the student agreed that employers of their projects may read this profile."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def is_empty(self) -> bool:
        return not (self.skills or self.interests or self.career_goals.strip() or self.disciplines
                    or self.hours_per_week is not None)

"""Applications: where the employer selects, a student answers a few questions about skills
and motivation (no CV, no grades, no school name) and the employer judges them blind.

An ``ApplicationCall`` on an option of a choice set says the project takes applications and
until when; each ``Application`` is one student's answer, and the employer's decision on it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.choices.models import ChoiceOption


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Decision(enum.StrEnum):
    NONE = ""  # the employer has not decided
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ApplicationCall(CreatedMixin, Base):
    """The option requires an application: students apply until ``apply_by``, the employer
    selects until ``select_by`` (both days inclusive, UTC), set by the instructor."""

    __tablename__ = "application_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("choice_option.id", ondelete="CASCADE"), unique=True
    )
    apply_by: Mapped[date] = mapped_column(Date)
    select_by: Mapped[date] = mapped_column(Date)

    option: Mapped[ChoiceOption] = relationship()


class Application(CreatedMixin, Base):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("option_id", "person_id", name="uq__application__person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("choice_option.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    skills_used: Mapped[str] = mapped_column(Text, default="")
    """Which of the project's skills the student has used, and how."""
    motivation: Mapped[str] = mapped_column(Text, default="")
    """Why this project."""
    hours_per_week: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.SUBMITTED.value)
    decision: Mapped[str] = mapped_column(String(20), default=Decision.NONE.value)
    employer_rank: Mapped[int | None] = mapped_column(Integer)
    """The employer's order among the applicants (1: best); None: not ranked."""
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    option: Mapped[ChoiceOption] = relationship()

"""Employer reviews of submissions, and the grades released from them.

A review is a draft until the employer submits it as final. Depending on the placement's
release mode the final review is released at once, or waits for the instructor, who may
adjust the score with a reason. Each ``GradeRelease`` is what the student sees and what the
gradebook receives (through the score outbox).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.submissions.models import Submission


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class Review(CreatedMixin, Base):
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("submission_id", name="uq__review__submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    employer_id: Mapped[int] = mapped_column(Integer, index=True)
    reviewer_id: Mapped[int] = mapped_column(Integer)
    """The EmployerMember who wrote it."""
    reviewer_label: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(10), default=ReviewState.DRAFT.value)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Per rubric criterion id: ``{"level_id": 12, "points": 4}``."""
    points: Mapped[float] = mapped_column(Float, default=0.0)
    points_possible: Mapped[float] = mapped_column(Float, default=0.0)
    feedback_md: Mapped[str] = mapped_column(Text, default="")
    endorsed_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Slugs of the project's skills the work demonstrated."""
    recommend: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    submission: Mapped[Submission] = relationship()

    @property
    def is_final(self) -> bool:
        return self.state == ReviewState.FINAL.value


class ReleaseSource(enum.StrEnum):
    EMPLOYER = "employer"  # the employer's final review, as is or adjusted by the instructor
    INSTRUCTOR = "instructor"  # the instructor graded it (e.g. the employer missed the deadline)


class GradeRelease(CreatedMixin, Base):
    """A grade made visible to the student and sent to the gradebook."""

    __tablename__ = "grade_release"
    __table_args__ = (
        # A submission's releases in order (migration 0019): the latest is the index's last
        # entry for the submission, whatever PostgreSQL's statistics say.
        Index("ix__grade_release__submission_release", "submission_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))
    score_given: Mapped[float] = mapped_column(Float)
    """On the line item's scale (the rubric total scaled to scoreMaximum)."""
    score_maximum: Mapped[float] = mapped_column(Float)
    rubric_score: Mapped[float | None] = mapped_column(Float)
    """What the rubric total alone scales to; differs from score_given when adjusted."""
    adjustment_reason: Mapped[str] = mapped_column(Text, default="")
    """Why the instructor changed the employer's score: kept for the record."""
    feedback_md: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    """The AGS comment sent: the feedback trimmed, with a link to the full review."""
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    """The instructor who approved; None when released automatically."""
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def adjusted(self) -> bool:
        return self.rubric_score is not None and abs(self.rubric_score - self.score_given) > 1e-9


class ReviewReminder(CreatedMixin, Base):
    """A reminder (or an overdue notice) sent once per submission and kind."""

    __tablename__ = "review_reminder"
    __table_args__ = (
        UniqueConstraint("submission_id", "kind", name="uq__review_reminder__kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    """``day3``, ``day6`` (to the employer) or ``overdue`` (to the instructor)."""
    recipients: Mapped[int] = mapped_column(Integer, default=0)

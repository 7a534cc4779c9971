"""Credit for a placement: whether it bears credit, the hours verified, the student's
reflection, and each student's credit record with its append-only history of steps.

A record's ``state`` is where the credit stands now; ``CreditStep`` rows say who did what,
when and why, and are never changed or deleted (the mapper refuses it).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime, utcnow


class PlacementCredit(CreatedMixin, Base):
    """The instructor's credit settings for one placement (within the institution's policy)."""

    __tablename__ = "placement_credit"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), unique=True
    )
    credit_bearing: Mapped[bool] = mapped_column(Boolean, default=False)
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    """The most credits the placement can award."""
    badge_on_completion: Mapped[bool] = mapped_column(Boolean, default=False)
    """Issue an Open Badge when a student completes the work (only when not credit-bearing:
    credit-bearing placements issue one on approval). See grading.credentials.completion."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class VerifierKind(enum.StrEnum):
    EMPLOYER = "employer"
    INSTRUCTOR = "instructor"


class HoursVerification(CreatedMixin, Base):
    """Someone who saw the work confirmed (or adjusted) a student's logged hours.

    Append-only: the newest row per student and placement is the verified total."""

    __tablename__ = "hours_verification"
    __table_args__ = (
        Index("ix__hours_verification__placement_person", "placement_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    logged_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    """What the student's log said when it was verified."""
    verified_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    verifier_kind: Mapped[str] = mapped_column(String(20))
    verifier_id: Mapped[int | None] = mapped_column(Integer)
    """EmployerMember.id or the instructor's Person.id."""
    verifier_label: Mapped[str] = mapped_column(String(320))

    @property
    def adjusted(self) -> bool:
        return self.verified_hours != self.logged_hours


class Reflection(CreatedMixin, Base):
    """The student's structured reflection on the project (Markdown, rendered sanitised)."""

    __tablename__ = "credit_reflection"
    __table_args__ = (
        UniqueConstraint("placement_id", "person_id", name="uq__credit_reflection__person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    what_i_did_md: Mapped[str] = mapped_column(Text, default="")
    skills_used_md: Mapped[str] = mapped_column(Text, default="")
    what_i_learned_md: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CreditState(enum.StrEnum):
    RECOMMENDED = "recommended"  # waits for a credit officer
    NOT_RECOMMENDED = "not_recommended"
    APPROVED = "approved"
    RETURNED = "returned"  # the credit officer sent it back to the instructor with a note
    REOPENED = "reopened"  # the verified hours changed after a recommendation or approval

    @property
    def label(self) -> str:
        return {
            "recommended": "Recommended, waiting for the credit office",
            "not_recommended": "Not recommended",
            "approved": "Approved",
            "returned": "Returned to the instructor",
            "reopened": "Reopened: the verified hours changed",
        }[self.value]


class CreditRecord(CreatedMixin, Base):
    """Where one student's credit for one placement stands, and what it was decided on."""

    __tablename__ = "credit_record"
    __table_args__ = (
        UniqueConstraint("placement_id", "person_id", name="uq__credit_record__person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    verified_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(0))
    grade_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    hours_verification_id: Mapped[int | None] = mapped_column(
        ForeignKey("hours_verification.id", ondelete="SET NULL")
    )
    """The verification the credit was decided on: a newer one reopens the record."""
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    approver_label: Mapped[str] = mapped_column(String(320), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def credit_state(self) -> CreditState:
        return CreditState(self.state)


class StepAction(enum.StrEnum):
    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not_recommended"
    APPROVED = "approved"
    RETURNED = "returned"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class CreditStep(CreatedMixin, Base):
    """One step of the approval chain: who, when (``created_at``), what, and why."""

    __tablename__ = "credit_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_record_id: Mapped[int] = mapped_column(
        ForeignKey("credit_record.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(20))
    """instructor, credit_officer, lti_admin or system."""
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(Text, default="")
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    verified_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(0))
    grade_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))


class StepsAreHistory(RuntimeError):
    """A credit step was about to be changed or deleted: the history is append-only."""


@event.listens_for(CreditStep, "before_update")
@event.listens_for(CreditStep, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, step: CreditStep) -> None:
    raise StepsAreHistory(f"credit step {step.id} is history: add a new step instead")

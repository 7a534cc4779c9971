"""An institution's credit policy, and the credit officers who approve credit.

A credit officer is institution staff (often in the registrar's office) without an LMS role:
they sign in by emailed link, as curators do. An LMS Administrator launched from the LMS acts
as one too.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime, utcnow

DEFAULT_HOURS_PER_CREDIT = Decimal("45")
DEFAULT_MINIMUM_GRADE = Decimal("60")


class Approver(enum.StrEnum):
    """Who has the last word on credit."""

    INSTRUCTOR = "instructor"  # the instructor's recommendation is the approval
    INSTRUCTOR_THEN_OFFICER = "instructor_then_officer"  # a credit officer approves it after

    @property
    def label(self) -> str:
        return {
            "instructor": "The instructor alone",
            "instructor_then_officer": "The instructor recommends, then a credit officer approves",
        }[self.value]


class CreditPolicy(CreatedMixin, Base):
    """How an institution turns project work into credit; one row per institution."""

    __tablename__ = "credit_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), unique=True
    )
    hours_per_credit: Mapped[Decimal] = mapped_column(
        Numeric(6, 2), default=DEFAULT_HOURS_PER_CREDIT
    )
    minimum_grade_percent: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=DEFAULT_MINIMUM_GRADE
    )
    reflection_required: Mapped[bool] = mapped_column(Boolean, default=True)
    approver: Mapped[str] = mapped_column(
        String(30), default=Approver.INSTRUCTOR_THEN_OFFICER.value
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(320), default="")


class CreditOfficerAccount(CreatedMixin, Base):
    """A credit officer who signs in by email."""

    __tablename__ = "credit_officer_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    invited_by: Mapped[str] = mapped_column(String(320), default="")
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def display_name(self) -> str:
        return self.name or self.email

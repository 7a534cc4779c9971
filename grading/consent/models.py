"""Taking part and consent to disclose.

Consent follows FERPA's written-consent rule (34 CFR 99.30): each row records which records
may be disclosed, for what purpose, to which employer, the typed signature and the date; a
withdrawal ends it. Every disclosure to an employer is logged (99.32) in ``Disclosure``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.people.models import Person


class Participation(CreatedMixin, Base):
    """A learner who pressed Start (or was put in a team) on a placement."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("placement_id", "person_id", name="uq__participation__person"),
        UniqueConstraint("placement_id", "pseudonym", name="uq__participation__pseudonym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    """What employers see until the learner consents, e.g. "Student 7F3A"; stable."""
    share_anonymously: Mapped[bool] = mapped_column(Boolean, default=False)
    """Without consent, may the employer see the work under the pseudonym?"""
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()


class ConsentRecord(enum.StrEnum):
    NAME = "name"
    EMAIL = "email"
    WORK = "work"
    FEEDBACK = "feedback"

    @property
    def label(self) -> str:
        return {
            "name": "my name",
            "email": "my email address",
            "work": "the work I submit for this project (text, links and files)",
            "feedback": "grade-relevant feedback: my final score and my instructor's notes on it",
        }[self.value]


class Consent(CreatedMixin, Base):
    """One signed consent to disclose records to one employer (34 CFR 99.30)."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix__consent__placement_person", "placement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(Integer)
    employer_name: Mapped[str] = mapped_column(String(200))
    """The recipient as named when the student signed."""
    records: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    """The full text the student agreed to, kept as signed."""
    signature: Mapped[str] = mapped_column(String(200))
    """The student's typed name: the electronic signature."""
    signed_on: Mapped[date] = mapped_column(Date)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, record: ConsentRecord) -> bool:
        return self.active and record.value in self.records


class Disclosure(CreatedMixin, Base):
    """One disclosure of a student's records to an employer (34 CFR 99.32 record)."""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix__disclosure__placement_person", "placement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    employer_id: Mapped[int] = mapped_column(Integer)
    employer_name: Mapped[str] = mapped_column(String(200))
    viewer_id: Mapped[int | None] = mapped_column(Integer)
    """The EmployerMember who looked."""
    viewer_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(200))
    """What was disclosed, in words: "viewed submission attempt 2", "downloaded report.pdf"."""
    identified: Mapped[bool] = mapped_column(Boolean)
    """True when the student's identity was disclosed (consent); False under the pseudonym."""
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id", ondelete="SET NULL"))
    """The consent that allowed it (the legitimate interest, in 99.32's words)."""

    person: Mapped[Person] = relationship()

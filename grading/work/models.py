"""Student work in a placement: taking part, consent, teams, milestones, hours, submissions.

Consent follows FERPA's written-consent rule (34 CFR 99.30): each row records which records
may be disclosed, for what purpose, to which employer, the typed signature and the date; a
withdrawal ends it. Every disclosure to an employer is logged (99.32) in ``Disclosure``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
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


class Team(CreatedMixin, Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("placement_id", "name", name="uq__team__name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    """Students may join it themselves while it has room."""

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", order_by="TeamMember.id", cascade="all, delete-orphan"
    )


class TeamMember(CreatedMixin, Base):
    __tablename__ = "team_member"
    __table_args__ = (
        # A learner is in at most one team per placement.
        UniqueConstraint("placement_id", "person_id", name="uq__team_member__person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class Milestone(CreatedMixin, Base):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CheckIn(CreatedMixin, Base):
    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("milestone_id", "person_id", name="uq__check_in__person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class HoursEntry(CreatedMixin, Base):
    __tablename__ = "hours_entry"
    __table_args__ = (Index("ix__hours_entry__placement_person", "placement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    note: Mapped[str] = mapped_column(String(500), default="")


class StoredFile(CreatedMixin, Base):
    """File content, stored once by its SHA-256 outside any web root."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    """document, spreadsheet, image, archive or code: what the content check found."""


class Submission(CreatedMixin, Base):
    """One attempt by a learner (or a team, for all its members). Every attempt is kept."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("placement_id", "owner_key", "attempt", name="uq__submission__attempt"),
        # The form's one-time token: a double-clicked Submit makes one attempt.
        UniqueConstraint("placement_id", "owner_key", "form_token", name="uq__submission__token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    owner_key: Mapped[str] = mapped_column(String(40))
    """``person:<id>`` or ``team:<id>``: whose attempts these are."""
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    """The people this attempt was submitted for (a team's members at that moment)."""
    attempt: Mapped[int] = mapped_column(Integer)
    text_md: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_seconds: Mapped[int] = mapped_column(Integer, default=0)
    form_token: Mapped[str] = mapped_column(String(64))
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set when an employer opens a review draft: no more attempts after that."""

    files: Mapped[list[SubmissionFile]] = relationship(
        back_populates="submission", order_by="SubmissionFile.position",
        cascade="all, delete-orphan",
    )
    team: Mapped[Team | None] = relationship()

    @property
    def is_late(self) -> bool:
        return self.late_seconds > 0

    @property
    def late_by(self) -> str:
        return describe_duration(self.late_seconds)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


class SubmissionFile(Base):
    __tablename__ = "submission_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255))
    """The name the student gave it: shown, never used as a path."""
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))

    submission: Mapped[Submission] = relationship(back_populates="files")
    stored: Mapped[StoredFile] = relationship()

    @property
    def extension(self) -> str:
        _, dot, ext = self.filename.rpartition(".")
        return ext.lower() if dot else ""

    def anonymous_name(self) -> str:
        """A name that says nothing about who wrote it, for pseudonymous views."""
        suffix = f".{self.extension}" if self.extension else ""
        return f"attachment-{self.position + 1}{suffix}"


def describe_duration(seconds: int) -> str:
    """``2 days 3 hours``, ``45 minutes``: how late, in words."""
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(1, rest // 60) if not days and not hours else rest // 60
    parts: list[str] = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount and len(parts) < 2:
            parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    return " ".join(parts)


def owner_key(*, person_id: int | None = None, team_id: int | None = None) -> str:
    if team_id is not None:
        return f"team:{team_id}"
    if person_id is None:
        raise ValueError("a submission belongs to a person or a team")
    return f"person:{person_id}"


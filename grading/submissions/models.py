"""Attempts learners hand in (alone or for a team), their files and links.

File content is stored once by its SHA-256 (``StoredFile``); every attempt is kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.teams.models import Team


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
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When newer attempts superseded this one and its content was removed to save space (the
    record stays, so the history still names the file)."""

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

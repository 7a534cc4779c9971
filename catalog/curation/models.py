"""Curators and their decisions about projects, per institution."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime


class Decision(enum.StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class CuratorAccount(CreatedMixin, Base):
    """A curator who signs in by email (career services staff without an LMS admin role)."""

    __tablename__ = "curator_account"

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


class CurationDecision(CreatedMixin, Base):
    __tablename__ = "curation_decision"
    __table_args__ = (
        Index("ix__curation_decision__institution_project", "institution_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revision.id", ondelete="CASCADE")
    )
    decision: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(320))
    notified_email_ids: Mapped[str] = mapped_column(String(200), default="")
    """The outgoing emails that told the employer, comma-separated ids."""


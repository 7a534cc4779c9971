"""People known through LTI launches, and the courses they launch from.

A person is one LTI user on one platform: the same ``sub`` on two platforms is two people.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime, utcnow


class Person(CreatedMixin, Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("platform_id", "sub", name="uq__person__platform_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Table-name foreign key: grading never imports lti_tool's code, only its table.
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    sis_id: Mapped[str] = mapped_column(String(255), default="")
    """The LMS's ``lis.person_sourcedid`` (the student information system's id), if shared."""
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def display_name(self) -> str:
        return display_name(self.name, self.given_name, self.family_name)


class Course(CreatedMixin, Base):
    __tablename__ = "course"
    __table_args__ = (
        UniqueConstraint("platform_id", "context_id", name="uq__course__context"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    last_launch_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Service endpoints from the latest launch (AGS line items container, NRPS memberships).
    lineitems_url: Mapped[str] = mapped_column(String(1000), default="")
    memberships_url: Mapped[str] = mapped_column(String(1000), default="")

    def display_title(self) -> str:
        return display_title(self.title, self.label, self.context_id)


UNNAMED = "Unnamed user"


def display_name(name: str | None, given_name: str | None, family_name: str | None) -> str:
    """What the LMS shared of a name (a privacy setting may share none)."""
    return name or " ".join(p for p in (given_name, family_name) if p) or UNNAMED


def display_title(title: str | None, label: str | None, context_id: str) -> str:
    return title or label or context_id

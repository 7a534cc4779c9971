"""A placement: one catalog project placed at one resource link of one course, and the
course roster cached for it.

A placement is named to the LMS in two ways: its ``key`` travels in the deep linking
response's custom parameters (and survives a course copy with the link), and its id is the
line item's ``resourceId``.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.people.models import Course


class ReleaseMode(enum.StrEnum):
    AUTOMATIC = "automatic"  # the employer's final review goes straight to the gradebook
    INSTRUCTOR = "instructor"  # the instructor approves (and may adjust) first

    @property
    def label(self) -> str:
        return {
            "automatic": "The employer's final review goes straight to the gradebook",
            "instructor": "I approve each grade before students and the gradebook see it",
        }[self.value]


class DueSource(enum.StrEnum):
    TOOL = "tool"  # set in Microbridge (the deep linking settings or the settings page)
    LMS = "lms"  # reported by the LMS at a launch (LTI-NOTES pitfall 25)


def new_key() -> str:
    """An opaque, unguessable name for a placement, for the LMS's custom parameters."""
    return secrets.token_urlsafe(12)


class Placement(CreatedMixin, Base):
    __tablename__ = "placement"
    __table_args__ = (
        UniqueConstraint("course_id", "resource_link_id", name="uq__placement__course_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True, default=new_key)
    """Sent as the custom parameter ``microbridge_placement``; a copied link brings it back."""
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # Empty until the first launch of the link the deep linking response created.
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    # The catalog revision placed: later edits of the project never change a placement.
    project_revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revision.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    score_maximum: Mapped[float] = mapped_column(Float, default=100.0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The effective due date: the LMS's, when a launch reported one, else the tool's."""
    due_at_source: Mapped[str] = mapped_column(String(10), default=DueSource.TOOL.value)
    team_size: Mapped[int] = mapped_column(Integer, default=1)
    release_mode: Mapped[str] = mapped_column(String(20), default=ReleaseMode.INSTRUCTOR.value)
    line_item_url: Mapped[str] = mapped_column(String(1000), default="")
    line_item_error: Mapped[str] = mapped_column(Text, default="")
    """Why the gradebook column could not be found, created or updated the last time."""
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement.id", ondelete="SET NULL")
    )
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roster_error: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship()

    @property
    def is_linked(self) -> bool:
        """True once a launch of the LMS link has tied the placement to its resource link."""
        return bool(self.resource_link_id)

    @property
    def release_mode_label(self) -> str:
        return ReleaseMode(self.release_mode).label

    @property
    def team_label(self) -> str:
        return "Individual" if self.team_size <= 1 else f"Teams of {self.team_size}"


ACTIVE = "Active"
"""The NRPS status of a current member (the others are Inactive and Deleted)."""


class RosterMember(Base):
    """One member of the course as NRPS last reported it, cached per placement."""

    __tablename__ = "roster_member"
    __table_args__ = (
        UniqueConstraint("placement_id", "user_sub", name="uq__roster_member__user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), index=True
    )
    user_sub: Mapped[str] = mapped_column(String(255))
    """The LTI ``sub`` (NRPS ``user_id``)."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    roles: Mapped[str] = mapped_column(String(500), default="")
    """Short context roles, space-separated: ``Learner``, ``Instructor`` ..."""
    is_learner: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="Active")
    """Active, Inactive or Deleted (NRPS): only Active learners owe work."""
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def display_name(self) -> str:
        full = self.name or " ".join(p for p in (self.given_name, self.family_name) if p)
        return full or f"User {self.user_sub[:12]}"

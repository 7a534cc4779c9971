"""A placement: one catalog project placed at one resource link of one course."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microbridge.config.database import Base, CreatedMixin, UTCDateTime
from microbridge.grading.people.models import Course


class ReleaseMode(enum.StrEnum):
    AUTOMATIC = "automatic"  # the employer's final review goes straight to the gradebook
    INSTRUCTOR = "instructor"  # the instructor approves (and may adjust) first


class Placement(CreatedMixin, Base):
    __tablename__ = "placement"
    __table_args__ = (
        UniqueConstraint("course_id", "resource_link_id", name="uq__placement__course_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # Empty until the first launch of the link the deep linking response created.
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    # The catalog revision placed: later edits of the project never change a placement.
    project_revision_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    score_maximum: Mapped[float] = mapped_column(Float, default=100.0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    team_size: Mapped[int] = mapped_column(Integer, default=1)
    release_mode: Mapped[str] = mapped_column(String(20), default=ReleaseMode.INSTRUCTOR.value)
    line_item_url: Mapped[str] = mapped_column(String(1000), default="")
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement.id", ondelete="SET NULL")
    )
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship()

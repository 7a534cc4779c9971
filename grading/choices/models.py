"""Choice sets: several curated projects placed as one activity, and who gets which.

The activity is an ordinary placement (its resource link, its one gradebook column); each
project in the set is an option placement of the same course, without a link of its own,
that shares the activity's line item. Students rank options; the instructor previews an
assignment (``proposed`` rows), adjusts it by hand and publishes it in one transaction.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime, utcnow
from grading.placements.models import Placement


class SetState(enum.StrEnum):
    OPEN = "open"  # students rank; nothing assigned yet
    PREVIEWED = "previewed"  # the instructor has a proposed assignment to adjust
    PUBLISHED = "published"  # students and employers were told


class Method(enum.StrEnum):
    STABLE = "stable"
    MIN_COST = "min_cost"

    @property
    def label(self) -> str:
        return {
            "stable": "stable matching with capacities (Gale-Shapley, students proposing)",
            "min_cost": "minimum-cost assignment (fewest students far down their list)",
        }[self.value]


class AssignmentStatus(enum.StrEnum):
    PROPOSED = "proposed"  # in the instructor's preview only
    ASSIGNED = "assigned"  # published: the student has this place
    WAITLISTED = "waitlisted"  # published without a place: the next freed place is theirs
    WITHDRAWN = "withdrawn"  # the student left; the place went back to the set


class ChoiceSet(CreatedMixin, Base):
    __tablename__ = "choice_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), unique=True
    )
    """The activity: the placement at the LMS link, with the one gradebook column."""
    state: Mapped[str] = mapped_column(String(20), default=SetState.OPEN.value)
    method: Mapped[str] = mapped_column(String(20), default="")
    seed: Mapped[int | None] = mapped_column(Integer)
    """The lottery seed that broke ties in the last preview (recorded, so it can be replayed)."""
    previewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )

    placement: Mapped[Placement] = relationship()
    options: Mapped[list[ChoiceOption]] = relationship(
        back_populates="choice_set", order_by="ChoiceOption.position", cascade="all, delete-orphan"
    )

    @property
    def solo(self) -> bool:
        """A single project that takes applications: the set's one option is the activity
        itself, so the same matching, waitlist and employer selection serve it."""
        return len(self.options) == 1 and self.options[0].placement_id == self.placement_id


class ChoiceOption(Base):
    """One project of the set: an option placement (no link; the activity's line item)."""

    __tablename__ = "choice_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_set_id: Mapped[int] = mapped_column(
        ForeignKey("choice_set.id", ondelete="CASCADE"), index=True
    )
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), unique=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    seats: Mapped[int | None] = mapped_column(Integer)
    """The instructor's limit for this placement (students, or teams where it uses teams);
    None: as many as the project's capacity allows."""

    choice_set: Mapped[ChoiceSet] = relationship(back_populates="options")
    placement: Mapped[Placement] = relationship()


class ChoiceRank(CreatedMixin, Base):
    __tablename__ = "choice_rank"
    __table_args__ = (
        UniqueConstraint("choice_set_id", "person_id", "rank", name="uq__choice_rank__rank"),
        UniqueConstraint("choice_set_id", "person_id", "option_id", name="uq__choice_rank__option"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_set_id: Mapped[int] = mapped_column(
        ForeignKey("choice_set.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("choice_option.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    """1 is the student's first choice."""


class ChoiceAssignment(CreatedMixin, Base):
    __tablename__ = "choice_assignment"
    __table_args__ = (
        UniqueConstraint("choice_set_id", "person_id", name="uq__choice_assignment__person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_set_id: Mapped[int] = mapped_column(
        ForeignKey("choice_set.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("choice_option.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=AssignmentStatus.PROPOSED.value)
    rank: Mapped[int | None] = mapped_column(Integer)
    """Which of the student's choices this is (1: their first); None: not one they ranked."""
    by_fit: Mapped[bool] = mapped_column(Boolean, default=False)
    """Placed by fit: the student ranked nothing, or no place they ranked could take them."""
    adjusted: Mapped[bool] = mapped_column(Boolean, default=False)
    """Changed by hand by the instructor."""
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    option: Mapped[ChoiceOption | None] = relationship()

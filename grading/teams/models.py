"""Teams of learners in one placement; a learner is in at most one."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin
from grading.people.models import Person


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

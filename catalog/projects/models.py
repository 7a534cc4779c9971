"""Projects and their revisions.

A project is the employer's lasting record; what it says lives in numbered revisions. A
revision is edited in place until a curator approves it (published); from then on it never
changes, because placements point at it: editing a published project starts a new revision,
and placements keep the one they were placed with. ``ProjectRevision.id`` is that stable id.

Where a project is offered and listed is per institution (``ProjectOffer``); every
transition of the project's status is recorded in ``ProjectEvent`` with who, when and why.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.employers.models import EmployerOrg
from config.database import Base, CreatedMixin, UTCDateTime, utcnow


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RevisionState(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    PUBLISHED = "published"

    @property
    def editable(self) -> bool:
        return self in {RevisionState.DRAFT, RevisionState.CHANGES_REQUESTED,
                        RevisionState.REJECTED}


class Discipline(enum.StrEnum):
    BUSINESS = "business"
    DATA = "data"
    DESIGN = "design"
    COMMUNICATIONS = "communications"
    ENGINEERING = "engineering"
    SOCIAL_SCIENCE = "social_science"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Compensation(enum.StrEnum):
    PAID = "paid"
    STIPEND = "stipend"
    UNPAID = "unpaid"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class WorkMode(enum.StrEnum):
    REMOTE = "remote"
    HYBRID = "hybrid"
    ON_SITE = "on_site"

    @property
    def label(self) -> str:
        return {"remote": "Remote", "hybrid": "Hybrid", "on_site": "On-site"}[self.value]


class Project(CreatedMixin, Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("employer_org.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.DRAFT.value, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    employer: Mapped[EmployerOrg] = relationship()
    revisions: Mapped[list[ProjectRevision]] = relationship(
        back_populates="project", order_by="ProjectRevision.number",
        foreign_keys="ProjectRevision.project_id",
    )
    offers: Mapped[list[ProjectOffer]] = relationship(
        back_populates="project", order_by="ProjectOffer.institution_id"
    )

    @property
    def latest(self) -> ProjectRevision:
        return self.revisions[-1]

    @property
    def live(self) -> ProjectRevision | None:
        """The newest published revision, if any."""
        published = [r for r in self.revisions if r.state == RevisionState.PUBLISHED.value]
        return published[-1] if published else None


class ProjectRevision(CreatedMixin, Base):
    __tablename__ = "project_revision"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq__project_revision__number"),
        Index("ix__project_revision__filters", "discipline", "compensation_type",
              "estimated_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=RevisionState.DRAFT.value)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(200))
    brief_md: Mapped[str] = mapped_column(Text)
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills_text: Mapped[str] = mapped_column(Text, default="")
    """The skill labels joined by commas: what full-text search reads."""
    discipline: Mapped[str] = mapped_column(String(30))
    estimated_hours: Mapped[int] = mapped_column(Integer)
    work_mode: Mapped[str] = mapped_column(String(20), default=WorkMode.REMOTE.value)
    location: Mapped[str] = mapped_column(String(200), default="")
    compensation_type: Mapped[str] = mapped_column(String(20))
    pay_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    """Total for the project (paid or stipend), in ``pay_currency``."""
    pay_currency: Mapped[str] = mapped_column(String(3), default="")
    course_tied: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_bearing: Mapped[bool] = mapped_column(Boolean, default=False)
    time_boxed: Mapped[bool] = mapped_column(Boolean, default=False)
    team_size: Mapped[int] = mapped_column(Integer, default=1)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    """How many students (or teams, when team_size > 1) the employer can take."""
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(back_populates="revisions", foreign_keys=[project_id])
    skills: Mapped[list[RevisionSkill]] = relationship(
        back_populates="revision", order_by="RevisionSkill.position",
        cascade="all, delete-orphan",
    )
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="revision", order_by="RubricCriterion.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_team(self) -> bool:
        return self.team_size > 1

    @property
    def pay_per_hour(self) -> Decimal | None:
        if self.pay_amount is None or not self.estimated_hours:
            return None
        return (Decimal(self.pay_amount) / self.estimated_hours).quantize(Decimal("0.01"))

    @property
    def rubric_points(self) -> int:
        return sum(c.max_points for c in self.criteria)

    @property
    def skill_labels(self) -> list[str]:
        return [s.label for s in self.skills]

    @property
    def discipline_label(self) -> str:
        return Discipline(self.discipline).label

    @property
    def work_mode_label(self) -> str:
        return WorkMode(self.work_mode).label

    @property
    def compensation_label(self) -> str:
        return Compensation(self.compensation_type).label


class RevisionSkill(Base):
    __tablename__ = "revision_skill"
    __table_args__ = (
        UniqueConstraint("revision_id", "slug", name="uq__revision_skill__slug"),
        Index("ix__revision_skill__slug_revision", "slug", "revision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revision.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    slug: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(60))
    in_taxonomy: Mapped[bool] = mapped_column(Boolean, default=True)

    revision: Mapped[ProjectRevision] = relationship(back_populates="skills")


class RubricCriterion(Base):
    """One row of the rubric employers score with; ids are stable once published."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revision.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    revision: Mapped[ProjectRevision] = relationship(back_populates="criteria")
    levels: Mapped[list[RubricLevel]] = relationship(
        back_populates="criterion", order_by="RubricLevel.position",
        cascade="all, delete-orphan",
    )

    @property
    def max_points(self) -> int:
        return max((level.points for level in self.levels), default=0)


class RubricLevel(Base):
    __tablename__ = "rubric_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)

    criterion: Mapped[RubricCriterion] = relationship(back_populates="levels")


class ProjectOffer(CreatedMixin, Base):
    """A project offered to one institution, and where that institution's curators stand."""

    __tablename__ = "project_offer"
    __table_args__ = (
        UniqueConstraint("project_id", "institution_id", name="uq__project_offer__institution"),
        Index("ix__project_offer__listed", "institution_id", "listed_revision_id"),
        Index("ix__project_offer__pending", "institution_id", "pending_revision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    pending_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_revision.id", ondelete="SET NULL")
    )
    """A submitted revision this institution has not decided on yet: its queue."""
    listed_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_revision.id", ondelete="SET NULL")
    )
    """The revision this institution's catalog shows; None when not listed."""
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_decision: Mapped[str] = mapped_column(String(30), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(back_populates="offers")
    pending_revision: Mapped[ProjectRevision | None] = relationship(
        foreign_keys=[pending_revision_id]
    )
    listed_revision: Mapped[ProjectRevision | None] = relationship(
        foreign_keys=[listed_revision_id]
    )


class CatalogListing(Base):
    """What search reads: one narrow row per revision an institution lists.

    A copy of the filterable facts of ``ProjectOffer.listed_revision`` (and, on PostgreSQL,
    its text vectors), kept by ``catalog.projects.listing.sync`` whenever a listing changes.
    Revisions never change once listed, so the copy cannot go stale. Narrow rows and no
    joins are what keep search fast at 100,000 projects.
    """

    __tablename__ = "catalog_listing"
    __table_args__ = (
        PrimaryKeyConstraint("institution_id", "revision_id", name="pk__catalog_listing"),
        Index("ix__catalog_listing__project", "project_id"),
        Index("ix__catalog_listing__newest", "institution_id", "listed_at"),
        {"sqlite_with_rowid": False},
    )

    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("project_revision.id", ondelete="CASCADE")
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    discipline: Mapped[str] = mapped_column(String(30))
    estimated_hours: Mapped[int] = mapped_column(Integer)
    compensation_type: Mapped[str] = mapped_column(String(20))
    team_size: Mapped[int] = mapped_column(Integer)
    work_mode: Mapped[str] = mapped_column(String(20))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)


class ProjectEvent(CreatedMixin, Base):
    """One step in a project's history: who did what, when, and why."""

    __tablename__ = "project_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_revision.id", ondelete="SET NULL")
    )
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(Text, default="")

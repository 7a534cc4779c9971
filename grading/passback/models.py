"""The score outbox: one row per AGS score the LMS must receive.

The row is written in the same transaction as the decision it reports (a submission, a
released grade), so the decision and the duty to tell the LMS commit together. Its
``timestamp`` is fixed when the row is written and strictly increases, whole second by whole
second, per (line item, user): Moodle refuses a score whose timestamp is not newer than the
stored one to the second (409) and Canvas refuses an older one (400), so every retry resends
exactly the same payload and a newer decision always wins.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, CreatedMixin, UTCDateTime
from grading.people.models import Person
from grading.ports import ScoreKind


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting for a task (or for its next try)
    SENDING = "sending"  # claimed by a task; a stale claim means the worker died
    SENT = "sent"  # the platform accepted it (or already had it)
    FAILED = "failed"  # the platform refused it for good; last_error has its words
    DEAD = "dead"  # transient failures until the attempts ran out
    SUPERSEDED = "superseded"  # a newer score for the same user and line item took its place

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting to send",
            "sending": "Sending",
            "sent": "Sent",
            "failed": "Refused by the LMS",
            "dead": "Gave up: the LMS could not be reached for days",
            "superseded": "Replaced by a newer score",
        }[self.value]


OPEN_STATES = (OutboxState.PENDING.value, OutboxState.SENDING.value)


OutboxKind = ScoreKind
"""A row's kind is the kind of score it reports (submitted work, or a released grade)."""

CHANNEL = "grading.passback.scores"
"""The after-commit outbox channel (config.outbox) rows are queued on."""


_OPEN = text("state IN ('pending', 'sending')")


def stream_key(line_item_url: str, user_sub: str) -> str:
    """One gradebook cell: the line item and the user, hashed to a short indexable key."""
    return hashlib.sha256(f"{line_item_url}\n{user_sub}".encode()).hexdigest()


class ScoreOutbox(CreatedMixin, Base):
    __tablename__ = "score_outbox"
    __table_args__ = (
        # Two scores for one gradebook cell never share a timestamp (Moodle: whole seconds).
        UniqueConstraint("stream_key", "timestamp", name="uq__score_outbox__stream_timestamp"),
        # Open rows by id (migration 0018): claims and outcomes find their row by id in any
        # plan; indexed by state, a generic plan read every open row for each one.
        Index("ix__score_outbox__open", "id", postgresql_where=_OPEN, sqlite_where=_OPEN),
        Index("ix__score_outbox__placement_person", "placement_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_release.id", ondelete="SET NULL")
    )
    line_item_url: Mapped[str] = mapped_column(String(1000))
    user_sub: Mapped[str] = mapped_column(String(255))
    """The LTI ``sub`` of the learner: AGS ``userId``."""
    stream_key: Mapped[str] = mapped_column(String(64), index=True)
    score_given: Mapped[float | None] = mapped_column(Float)
    score_maximum: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    review_url: Mapped[str | None] = mapped_column(String(1000))
    """Where the LMS may link to the work (submitted rows)."""
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the work was handed in (submitted rows)."""
    keep_existing_grade: Mapped[bool] = mapped_column(Boolean, default=False)
    """A grade the LMS already holds must survive this score (submitted rows)."""
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    """Fixed when written; every retry sends it unchanged."""
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    """What this row reports, e.g. ``release:12:person:7``: the same decision is written once."""
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    """The platform's HTTP status on the last try (None: no answer)."""
    last_error: Mapped[str] = mapped_column(Text, default="")
    """The platform's words (or the network's) on the last failed try."""
    restamped: Mapped[bool] = mapped_column(Boolean, default=False)
    """Given a fresh timestamp once because the LMS held a newer entry; a second conflict
    after that is a refusal, not a race."""
    outcome_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    """A try may have landed although the LMS did not say so (a timeout, a gateway error, a
    worker that died mid-post): before posting again, the LMS's result is read."""
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the first try began; transient failures are given up on a while after it."""
    swept_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the sweep last queued it again (so a backlog is not queued over and over)."""
    note: Mapped[str] = mapped_column(String(300), default="")
    """Why the row stands as it does, for the instructor; never read by code."""

    person: Mapped[Person] = relationship()

    @property
    def state_label(self) -> str:
        return OutboxState(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def can_retry(self) -> bool:
        return self.state in (OutboxState.FAILED.value, OutboxState.DEAD.value,
                              OutboxState.PENDING.value)

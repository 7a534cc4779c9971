"""Issued Open Badges 3.0 credentials and the dedicated key that signs them.

The issuer key is not the LTI tool key: platforms trust the tool key for launches and
grades, employers trust this one for credentials, and either can rotate without the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, CreatedMixin, UTCDateTime


class IssuerKey(CreatedMixin, Base):
    """An RSA key that signs credentials and evidence packets; retired keys stay published."""

    __tablename__ = "issuer_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publish_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Credential(CreatedMixin, Base):
    """One OpenBadgeCredential issued to one student for one placement.

    The signed JWT is kept as issued; revocation only flips the status list bit (the
    ``status_index`` of the institution's list) and records who and why."""

    __tablename__ = "credential"
    __table_args__ = (
        UniqueConstraint("institution_id", "status_index", name="uq__credential__status_index"),
        UniqueConstraint("source_release_id", "person_id", name="uq__credential__release_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"),
                                              index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    credit_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_record.id", ondelete="SET NULL"))
    source_step_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    """The approving ``CreditStep``: one approval issues at most one credential."""
    source_release_id: Mapped[int | None] = mapped_column(Integer)
    """The ``GradeRelease`` a completion badge was issued on: one release issues at most one
    per member (a team's release covers each member)."""
    status_index: Mapped[int] = mapped_column(Integer)
    name_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient_only: Mapped[bool] = mapped_column(Boolean, default=False)
    """The student had withdrawn consent when it was issued: it goes to the student alone."""
    jwt: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Set while the student shares it (off by default)."""
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by: Mapped[str] = mapped_column(String(320), default="")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
